package dev.loraplane.orchestrator.api;

import dev.loraplane.orchestrator.evals.EvalBackend;
import dev.loraplane.orchestrator.evals.EvalExample;
import dev.loraplane.orchestrator.evals.EvalRunner;
import dev.loraplane.orchestrator.evals.EvalSpec;
import dev.loraplane.orchestrator.evals.ExampleResult;
import dev.loraplane.orchestrator.evals.Metric;
import dev.loraplane.orchestrator.evals.PromptRecipe;
import dev.loraplane.orchestrator.evals.PromptTokens;
import dev.loraplane.orchestrator.evals.ReportHtml;
import dev.loraplane.orchestrator.evals.Variant;
import dev.loraplane.orchestrator.store.Adapter;
import dev.loraplane.orchestrator.store.Eval;
import dev.loraplane.orchestrator.store.EvalEvent;
import dev.loraplane.orchestrator.store.EvalStatus;
import dev.loraplane.orchestrator.store.EvalStore;
import dev.loraplane.orchestrator.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Evals: create ({@code POST /v1/evals}), list, get (with the report once it succeeded), the events,
 * the per-example results as JSONL ({@code ?disagreements=true} for the examples the variants split
 * on), and the report as JSON and as a self-contained HTML page.
 */
final class EvalsApi {

    private final Vertx vertx;
    private final Store store;
    private final EvalStore evals;
    private final EvalRunner runner;
    private final EvalBackend backend;

    /** @param runner null when this control plane serves no model, so evals are refused */
    EvalsApi(Vertx vertx, Store store, EvalStore evals, EvalRunner runner, EvalBackend backend) {
        this.vertx = vertx;
        this.store = store;
        this.evals = evals;
        this.runner = runner;
        this.backend = backend;
    }

    void routes(Router router) {
        router.post("/v1/evals").handler(this::create);
        router.get("/v1/evals").handler(this::list);
        router.get("/v1/evals/:id").handler(this::get);
        router.get("/v1/evals/:id/events").handler(this::events);
        router.get("/v1/evals/:id/results").handler(this::results);
        router.get("/v1/evals/:id/report").handler(this::report);
        router.get("/v1/evals/:id/report.html").handler(this::html);
    }

    private void create(RoutingContext ctx) {
        JsonObject body = RequestFields.body(ctx);
        EvalSpec spec = EvalRequest.parse(body);
        requireServing();
        String tenant = ApiKeys.tenant(ctx);
        vertx.executeBlocking(() -> {
            check(tenant, spec, "dataset", i -> "variants[" + i + "].model", i -> "variants[" + i + "].prompt");
            Eval eval = Eval.created(Ids.newId("eval"), tenant, null, spec.toJson().encode(), System.currentTimeMillis() / 1000);
            return evals.create(eval, "Created eval: " + eval.id());
        }).onSuccess(eval -> {
            runner.wake();
            ctx.json(json(eval));
        }).onFailure(ctx::fail);
    }

    void requireServing() {
        if (runner == null) {
            throw new ApiException(503, "server_error", "serving_unavailable", null,
                    "this control plane serves no model, so it cannot run evals; start it with loraplane up");
        }
    }

    /**
     * What needs the store and the served model: the dataset and few-shot files exist and read, every
     * model is the base model or the tenant's adapter on it, and every prompt fits the context.
     * Blocking.
     *
     * @param modelParam a variant's index → the request field of its model
     * @param promptParam a variant's index → the request field of its prompt recipe
     */
    void check(String tenant, EvalSpec spec, String datasetParam, IntFunction<String> modelParam, IntFunction<String> promptParam) {
        List<EvalExample> examples = runner.examples(tenant, spec.dataset(), datasetParam);
        for (int i = 0; i < spec.variants().size(); i++) {
            Variant v = spec.variants().get(i);
            if (v.model() != null && !v.model().equals(backend.baseModel())) {
                List<Adapter> versions = store.adapterVersions(tenant, v.model());
                if (versions.isEmpty() || !versions.get(0).baseModel().equals(backend.baseModel())) {
                    throw ApiException.invalid(modelParam.apply(i), "model_not_found", "model '" + v.model() + "' is"
                            + " neither the base model " + backend.baseModel() + " nor one of your adapters on it");
                }
            }
            PromptRecipe recipe = runner.recipe(tenant, spec, i, promptParam.apply(i) + ".few_shot_file");
            for (EvalExample example : examples) {
                PromptTokens tokens = PromptTokens.of(backend.tokenizer(), recipe.apply(example.prompt()), example.reference());
                int needed = tokens.prompt().length + Math.max(spec.maxTokens(), tokens.reference().length);
                if (needed > backend.maxContext()) {
                    throw ApiException.invalid(v.fewShotFile() != null || v.system() != null || v.template() != null
                            ? promptParam.apply(i) : "max_tokens", "context_length_exceeded", "line " + example.line()
                            + " of the dataset makes a prompt of " + tokens.prompt().length + " tokens for variant " + v.name()
                            + "; with up to " + Math.max(spec.maxTokens(), tokens.reference().length) + " to answer that is "
                            + needed + ", and the model holds " + backend.maxContext());
                }
            }
        }
    }

    private void list(RoutingContext ctx) {
        int limit = ListPages.limit(ctx);
        String after = ctx.queryParams().get("after");
        vertx.executeBlocking(() -> evals.evals(ApiKeys.tenant(ctx), after, limit + 1))
                .onSuccess(list -> ctx.json(ListPages.page(list.stream().map(EvalsApi::json).toList(), limit)))
                .onFailure(ctx::fail);
    }

    private void get(RoutingContext ctx) {
        find(ctx).onSuccess(eval -> ctx.json(json(eval).put("report", eval.report() == null ? null : new JsonObject(eval.report()))))
                .onFailure(ctx::fail);
    }

    private void report(RoutingContext ctx) {
        finished(ctx).onSuccess(eval -> ctx.json(new JsonObject(eval.report()).put("eval_id", eval.id()))).onFailure(ctx::fail);
    }

    private void html(RoutingContext ctx) {
        finished(ctx).onSuccess(eval -> {
            HttpServerResponse response = ctx.response().putHeader("content-type", "text/html; charset=utf-8");
            if ("true".equals(ctx.queryParams().get("download"))) {
                response.putHeader("content-disposition", "attachment; filename=\"" + eval.id() + "-report.html\"");
            }
            response.end(ReportHtml.render(eval.id(), new JsonObject(eval.report())));
        }).onFailure(ctx::fail);
    }

    /** One JSON line per example and variant, example by example; with {@code disagreements=true} only the examples the variants split on. */
    private void results(RoutingContext ctx) {
        boolean disagreements = "true".equals(ctx.queryParams().get("disagreements"));
        find(ctx).compose(eval -> vertx.executeBlocking(() -> {
            Metric metric = EvalSpec.fromJson(new JsonObject(eval.request())).metric();
            Map<Integer, List<JsonObject>> byExample = new java.util.TreeMap<>();
            for (EvalStore.Result r : evals.results(eval.id())) {
                byExample.computeIfAbsent(r.example(), k -> new ArrayList<>()).add(new JsonObject(r.data()));
            }
            StringBuilder lines = new StringBuilder();
            for (List<JsonObject> rows : byExample.values()) {
                long passing = rows.stream().filter(row -> metric.of(List.of(ExampleResult.fromJson(row)), new int[] {0}) == 1.0).count();
                if (!disagreements || (passing != 0 && passing != rows.size())) {
                    rows.forEach(row -> lines.append(row.encode()).append('\n'));
                }
            }
            return lines.toString();
        })).onSuccess(text -> ctx.response().putHeader("content-type", "application/jsonl")
                .putHeader("content-disposition", "attachment; filename=\"" + ctx.pathParam("id") + "-results.jsonl\"").end(text))
                .onFailure(ctx::fail);
    }

    private void events(RoutingContext ctx) {
        if ("true".equals(ctx.queryParams().get("stream"))) {
            find(ctx).onSuccess(eval -> stream(ctx, eval)).onFailure(ctx::fail);
            return;
        }
        int limit = ListPages.limit(ctx);
        long before = ListPages.afterEvent(ctx, "evalevent-…-12");
        find(ctx).compose(eval -> vertx.executeBlocking(() -> evals.eventsNewestFirst(eval.id(), before, limit + 1)))
                .onSuccess(list -> ctx.json(ListPages.page(list.stream().map(EvalsApi::json).toList(), limit)))
                .onFailure(ctx::fail);
    }

    /** Server-sent events, oldest first, following new ones until the eval has ended; then {@code data: [DONE]}. */
    private void stream(RoutingContext ctx, Eval eval) {
        HttpServerResponse response = ctx.response().setChunked(true).putHeader("content-type", "text/event-stream")
                .putHeader("cache-control", "no-cache");
        long[] last = {0};
        boolean[] busy = {false};
        long timer = vertx.setPeriodic(0, JobsApi.STREAM_POLL_MILLIS, id -> {
            if (busy[0]) {
                return;
            }
            busy[0] = true;
            vertx.executeBlocking(() -> {
                boolean ended = evals.evalById(eval.id()).map(e -> e.status().isFinal()).orElse(true);
                return Map.entry(evals.events(eval.id(), last[0], 100), ended);
            }).onComplete(result -> {
                busy[0] = false;
                if (result.failed() || response.closed() || response.ended()) {
                    vertx.cancelTimer(id);
                    return;
                }
                for (EvalEvent event : result.result().getKey()) {
                    response.write("data: " + json(event).encode() + "\n\n");
                    last[0] = event.seq();
                }
                if (result.result().getValue() && result.result().getKey().isEmpty()) {
                    vertx.cancelTimer(id);
                    response.end("data: [DONE]\n\n");
                }
            });
        });
        response.closeHandler(v -> vertx.cancelTimer(timer));
    }

    private Future<Eval> find(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        return vertx.executeBlocking(() -> evals.eval(ApiKeys.tenant(ctx), id).orElseThrow(() -> ApiException.notFound("Eval", id, "id")));
    }

    private Future<Eval> finished(RoutingContext ctx) {
        return find(ctx).map(eval -> {
            if (eval.status() != EvalStatus.SUCCEEDED) {
                throw new ApiException(409, "invalid_request_error", "report_not_ready", "id", "eval " + eval.id() + " is "
                        + eval.status().wireName() + "; its report comes when it has succeeded");
            }
            return eval;
        });
    }

    static JsonObject json(Eval eval) {
        JsonObject request = new JsonObject(eval.request());
        JsonObject error = eval.errorCode() == null ? null : new JsonObject().put("code", eval.errorCode())
                .put("message", eval.errorMessage()).put("param", eval.errorParam());
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("id", eval.id());
        fields.put("object", "eval");
        fields.put("status", eval.status().wireName());
        fields.put("created_at", eval.createdAt());
        fields.put("finished_at", eval.finishedAt());
        fields.put("fine_tuning_job_id", eval.jobId());
        fields.put("error", error);
        JsonObject out = new JsonObject(fields);
        request.forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    static JsonObject json(EvalEvent event) {
        return new JsonObject().put("id", event.id()).put("object", "eval.event").put("created_at", event.createdAt())
                .put("level", event.level()).put("message", event.message()).put("type", event.type())
                .put("data", event.data() == null ? null : new JsonObject(event.data()));
    }
}
