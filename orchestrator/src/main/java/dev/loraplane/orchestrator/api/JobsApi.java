package dev.loraplane.orchestrator.api;

import dev.loraplane.orchestrator.executor.AcceleratorRequest;
import dev.loraplane.orchestrator.evals.EvalSpec;
import dev.loraplane.orchestrator.metrics.ControlPlaneMetrics;
import dev.loraplane.orchestrator.store.Eval;
import dev.loraplane.orchestrator.store.EvalStore;
import dev.loraplane.orchestrator.store.Job;
import dev.loraplane.orchestrator.store.JobEvent;
import dev.loraplane.orchestrator.store.JobStatus;
import dev.loraplane.orchestrator.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;

/** OpenAI's fine-tuning jobs API: create, list, get, cancel, and the job's events. */
final class JobsApi {

    static final long STREAM_POLL_MILLIS = 500;

    private final Vertx vertx;
    private final Store store;
    private final Set<String> baseModels;
    private final ControlPlaneMetrics metrics;
    private EvalsApi baselines;
    private EvalStore evals;

    JobsApi(Vertx vertx, Store store, Set<String> baseModels, ControlPlaneMetrics metrics) {
        this.vertx = vertx;
        this.store = store;
        this.baseModels = Set.copyOf(baseModels);
        this.metrics = metrics;
    }

    /** Runs jobs' {@code baseline} evals through {@code baselines} (null: a baseline is refused). */
    JobsApi withBaselines(EvalsApi baselines, EvalStore evals) {
        this.baselines = baselines;
        this.evals = evals;
        return this;
    }

    void routes(Router router) {
        router.post("/v1/fine_tuning/jobs").handler(this::create);
        router.get("/v1/fine_tuning/jobs").handler(this::list);
        router.get("/v1/fine_tuning/jobs/:id").handler(this::get);
        router.post("/v1/fine_tuning/jobs/:id/cancel").handler(this::cancel);
        router.get("/v1/fine_tuning/jobs/:id/events").handler(this::events);
        router.get("/v1/fine_tuning/jobs/:id/checkpoints").handler(this::checkpoints);
    }

    private void create(RoutingContext ctx) {
        JsonObject body = RequestFields.body(ctx);
        JobRequest request = JobRequest.parse(body);
        if (!baseModels.contains(request.model())) {
            throw ApiException.invalid("model", "model_not_found", "model '" + request.model()
                    + "' is not a base model here; available: " + String.join(", ", baseModels.stream().sorted().toList()));
        }
        String tenant = ApiKeys.tenant(ctx);
        String idempotencyKey = ctx.request().getHeader("Idempotency-Key");
        if (request.baseline() != null) {
            if (baselines == null) {
                throw ApiException.invalid("baseline", "evals_unavailable", "this control plane runs no evals, so it takes no baseline");
            }
            baselines.requireServing();
        }
        vertx.executeBlocking(() -> {
            requireFile(tenant, request.trainingFile(), "training_file");
            if (request.validationFile() != null) {
                requireFile(tenant, request.validationFile(), "validation_file");
            }
            JsonObject stored = request.toJson();
            if (request.seed() == null) {
                stored.put("seed", Ids.newSeed());
            }
            EvalSpec baseline = request.baseline() == null ? null : request.baselineEval(stored.getLong("seed"));
            String evalId = Ids.newId("eval");
            if (baseline != null) {
                baselines.check(tenant, baseline, "validation_file", i -> "model", i -> "baseline");
                stored.getJsonObject("baseline").put("eval_id", evalId);
            }
            long now = System.currentTimeMillis() / 1000;
            Job job = Job.created(Ids.newId("ftjob"), tenant, request.model(), request.priority(), request.trainingFile(),
                    request.validationFile(), stored.encode(), idempotencyKey, now);
            Job created = store.createJob(job, "Created fine-tuning job: " + job.id());
            if (baseline != null && evals.evalOfJob(created.id()).isEmpty()) {
                evals.create(Eval.created(evalId, tenant, created.id(), baseline.toJson().encode(), now),
                        "Created the baseline eval of job " + created.id() + ": the baseline once its files are validated, before"
                        + " training; the adapter once it is trained");
            }
            return created;
        }).onSuccess(job -> {
            vertx.eventBus().publish(ApiVerticle.JOBS_ADDRESS, new JsonObject().put("event", "created").put("job", job.id()));
            ctx.json(json(job));
        }).onFailure(ctx::fail);
    }

    private void requireFile(String tenant, String id, String param) {
        if (store.file(tenant, id).isEmpty()) {
            throw ApiException.invalid(param, "file_not_found", param + " " + id + " does not exist; upload it with POST /v1/files");
        }
    }

    private void list(RoutingContext ctx) {
        int limit = ListPages.limit(ctx);
        String after = ctx.queryParams().get("after");
        vertx.executeBlocking(() -> store.jobs(ApiKeys.tenant(ctx), after, limit + 1))
                .onSuccess(jobs -> ctx.json(ListPages.page(jobs.stream().map(JobsApi::json).toList(), limit)))
                .onFailure(ctx::fail);
    }

    private void get(RoutingContext ctx) {
        find(ctx).onSuccess(job -> ctx.json(json(job))).onFailure(ctx::fail);
    }

    private void cancel(RoutingContext ctx) {
        find(ctx).compose(job -> vertx.executeBlocking(() -> {
            long now = System.currentTimeMillis() / 1000;
            Job cancelled = job.moved(JobStatus.CANCELLED, job.attempts(), now);
            return store.transition(cancelled, Set.of(JobStatus.VALIDATING_FILES, JobStatus.QUEUED, JobStatus.RUNNING),
                    new JobEvent(job.id(), 0, now, "info", "message", "Job cancelled", null));
        })).onSuccess(job -> {
            metrics.jobFinished(job.tenant(), AcceleratorRequest.of(new JsonObject(job.request()).getJsonObject("accelerator")).type(),
                    "cancelled", job.finishedAt() - job.createdAt());
            vertx.eventBus().publish(ApiVerticle.JOBS_ADDRESS, new JsonObject().put("event", "cancelled").put("job", job.id()));
            ctx.json(json(job));
        }).onFailure(ctx::fail);
    }

    private void events(RoutingContext ctx) {
        if ("true".equals(ctx.queryParams().get("stream"))) {
            find(ctx).onSuccess(job -> stream(ctx, job)).onFailure(ctx::fail);
            return;
        }
        int limit = ListPages.limit(ctx);
        long before = ListPages.afterEvent(ctx, "ftevent-…-12");
        find(ctx).compose(job -> vertx.executeBlocking(() -> store.eventsNewestFirst(job.id(), before, limit + 1)))
                .onSuccess(events -> ctx.json(ListPages.page(events.stream().map(JobsApi::json).toList(), limit)))
                .onFailure(ctx::fail);
    }

    /**
     * Server-sent events, oldest first, following new ones as they are written, until the job has
     * ended and every event is out; then {@code data: [DONE]}, as OpenAI's streams end.
     */
    private void stream(RoutingContext ctx, Job job) {
        HttpServerResponse response = ctx.response().setChunked(true).putHeader("content-type", "text/event-stream")
                .putHeader("cache-control", "no-cache");
        long[] last = {0};
        boolean[] busy = {false};
        long timer = vertx.setPeriodic(0, STREAM_POLL_MILLIS, id -> {
            if (busy[0]) {
                return;
            }
            busy[0] = true;
            vertx.executeBlocking(() -> {
                boolean ended = store.jobById(job.id()).map(j -> j.status().isFinal()).orElse(true);
                return new Object[] {store.events(job.id(), last[0], 100), ended};
            }).onComplete(result -> {
                busy[0] = false;
                if (result.failed() || response.closed() || response.ended()) {
                    vertx.cancelTimer(id);
                    return;
                }
                @SuppressWarnings("unchecked")
                List<JobEvent> events = (List<JobEvent>) result.result()[0];
                for (JobEvent event : events) {
                    response.write("data: " + json(event).encode() + "\n\n");
                    last[0] = event.seq();
                }
                if ((Boolean) result.result()[1] && events.isEmpty()) {
                    vertx.cancelTimer(id);
                    response.end("data: [DONE]\n\n");
                }
            });
        });
        response.closeHandler(v -> vertx.cancelTimer(timer));
    }

    /** OpenAI's checkpoint objects, newest first, from the checkpoint events the worker reported. */
    private void checkpoints(RoutingContext ctx) {
        int limit = ListPages.limit(ctx);
        find(ctx).compose(job -> vertx.executeBlocking(() -> store.eventsOfType(job.id(), "checkpoint", limit + 1).stream()
                .map(event -> {
                    JsonObject data = new JsonObject(event.data());
                    int step = data.getInteger("step");
                    return new JsonObject().put("object", "fine_tuning.job.checkpoint")
                            .put("id", "ftckpt-" + job.id().substring(6) + "-" + step).put("created_at", event.createdAt())
                            .put("fine_tuning_job_id", job.id()).put("step_number", step)
                            .put("fine_tuned_model_checkpoint", job.model() + ":" + job.id() + ":ckpt-step-" + step)
                            .put("metrics", new JsonObject().put("step", step));
                }).toList()))
                .onSuccess(items -> ctx.json(ListPages.page(items, limit)))
                .onFailure(ctx::fail);
    }

    private Future<Job> find(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        return vertx.executeBlocking(() -> store.job(ApiKeys.tenant(ctx), id)
                .orElseThrow(() -> ApiException.notFound("FineTuningJob", id, "id")));
    }

    static JsonObject json(Job job) {
        JsonObject request = new JsonObject(job.request());
        JsonObject hyperparameters = request.getJsonObject("hyperparameters");
        JsonObject error = job.errorCode() == null ? null : new JsonObject().put("code", job.errorCode())
                .put("message", job.errorMessage()).put("param", job.errorParam());
        return new JsonObject().put("id", job.id()).put("object", "fine_tuning.job").put("model", job.model())
                .put("created_at", job.createdAt()).put("finished_at", job.finishedAt())
                .put("fine_tuned_model", job.fineTunedModel()).put("organization_id", job.tenant())
                .put("result_files", new JsonArray()).put("status", job.status().wireName())
                .put("training_file", job.trainingFile()).put("validation_file", job.validationFile())
                .put("hyperparameters", hyperparameters)
                .put("method", new JsonObject().put("type", "supervised")
                        .put("supervised", new JsonObject().put("hyperparameters", hyperparameters)))
                .put("trained_tokens", job.trainedTokens()).put("error", error).put("seed", request.getValue("seed"))
                .put("metadata", request.getJsonObject("metadata")).put("estimated_finish", job.estimatedFinish())
                .put("lora", request.getJsonObject("lora")).put("quantization", request.getString("quantization"))
                .put("accelerator", request.getJsonObject("accelerator")).put("priority", job.priority())
                .put("attempts", job.attempts()).put("estimated_cost_usd", job.estimatedCostUsd()).put("cost_usd", job.costUsd())
                .put("baseline", request.getJsonObject("baseline"));
    }

    static JsonObject json(JobEvent event) {
        return new JsonObject().put("id", event.id()).put("object", "fine_tuning.job.event").put("created_at", event.createdAt())
                .put("level", event.level()).put("message", event.message()).put("type", event.type())
                .put("data", event.data() == null ? null : new JsonObject(event.data()));
    }
}
