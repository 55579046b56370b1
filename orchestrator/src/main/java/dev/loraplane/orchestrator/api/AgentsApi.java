package dev.loraplane.orchestrator.api;

import dev.loraplane.orchestrator.agent.AgentDevice;
import dev.loraplane.orchestrator.agent.AgentExecutor;
import dev.loraplane.orchestrator.metrics.ControlPlaneMetrics;
import dev.loraplane.orchestrator.metrics.DeviceReadingsJson;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.ByteArrayInputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The routes remote agents use, under {@code /agent/v1} with an agent token (not a tenant's key):
 * register, heartbeat, long-poll for work, download inputs, send worker lines, upload checkpoints and
 * the adapter, report the exit.
 */
final class AgentsApi {

    private static final long MAX_WAIT_SECONDS = 60;

    private final Vertx vertx;
    private final AgentExecutor agents;
    private final Set<String> tokens;
    private final long maxUploadBytes;
    private final ControlPlaneMetrics metrics;

    AgentsApi(Vertx vertx, AgentExecutor agents, Set<String> tokens, long maxUploadBytes, ControlPlaneMetrics metrics) {
        this.metrics = metrics;
        this.vertx = vertx;
        this.agents = agents;
        this.tokens = Set.copyOf(tokens);
        this.maxUploadBytes = maxUploadBytes;
    }

    void routes(Router router) {
        router.route("/agent/v1/*").handler(this::authenticate);
        router.route("/agent/v1/*").handler(BodyHandler.create(false).setBodyLimit(maxUploadBytes));
        router.post("/agent/v1/agents").handler(this::register);
        router.post("/agent/v1/agents/:agent/heartbeat").handler(this::heartbeat);
        router.get("/agent/v1/agents/:agent/work").handler(this::work);
        router.get("/agent/v1/agents/:agent/attempts/:job/:attempt/inputs/*").handler(this::input);
        router.post("/agent/v1/agents/:agent/attempts/:job/:attempt/events").handler(this::events);
        router.put("/agent/v1/agents/:agent/attempts/:job/:attempt/checkpoints/:step").handler(this::checkpoint);
        router.put("/agent/v1/agents/:agent/attempts/:job/:attempt/adapter").handler(this::adapter);
        router.post("/agent/v1/agents/:agent/attempts/:job/:attempt/exit").handler(this::exit);
    }

    private void authenticate(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        if (header != null && header.startsWith("Bearer ") && tokens.contains(header.substring(7).strip())) {
            ctx.next();
        } else {
            ctx.fail(new ApiException(401, "invalid_request_error", "invalid_agent_token", null,
                    "missing or unknown agent token: start the agent with --token, as `loraplane up` printed it"));
        }
    }

    private void register(RoutingContext ctx) {
        JsonObject body = ctx.body().asJsonObject();
        if (body == null || body.getString("name") == null || !(body.getValue("devices") instanceof JsonArray list) || list.isEmpty()) {
            ctx.fail(ApiException.invalid("devices", "invalid_value", "register with {\"name\", \"devices\": [{\"type\", \"product\", \"count\"}]}"));
            return;
        }
        List<AgentDevice> devices;
        try {
            devices = list.stream().map(d -> (JsonObject) d)
                    .map(d -> new AgentDevice(d.getString("type"), d.getString("product"), d.getInteger("count", 1))).toList();
        } catch (RuntimeException e) {
            ctx.fail(ApiException.invalid("devices", "invalid_value", e.getMessage()));
            return;
        }
        String id = agents.register(body.getString("name"), devices);
        ctx.json(new JsonObject().put("id", id).put("heartbeat_seconds", agents.heartbeatSeconds()));
    }

    private void heartbeat(RoutingContext ctx) {
        JsonObject body = ctx.body().asJsonObject();
        Set<String> running = new HashSet<>();
        if (body != null && body.getJsonArray("running") != null) {
            body.getJsonArray("running").forEach(job -> running.add(String.valueOf(job)));
        }
        Set<String> stop = agents.heartbeat(ctx.pathParam("agent"), running);
        if (body != null && body.getString("host") != null && body.getValue("devices") instanceof JsonArray devices) {
            metrics.deviceReadings(body.getString("host"), null, null, DeviceReadingsJson.parse(devices));   // an idle agent's devices
        }
        ctx.json(new JsonObject().put("stop", new JsonArray(List.copyOf(stop))));
    }

    private void work(RoutingContext ctx) {
        long wait = Math.min(MAX_WAIT_SECONDS, parseLong(ctx.queryParams().get("wait"), 30));
        var next = agents.poll(ctx.pathParam("agent"));
        long timer = vertx.setTimer(Math.max(1, wait * 1000), id -> next.complete(null));
        ctx.request().connection().closeHandler(closed -> next.complete(null));
        next.whenComplete((assignment, error) -> vertx.runOnContext(v -> {
            vertx.cancelTimer(timer);
            if (ctx.response().ended() || ctx.response().closed()) {
                return;
            }
            if (assignment == null) {
                ctx.response().setStatusCode(204).end();
            } else {
                ctx.json(AgentExecutor.describe(assignment));
            }
        }));
    }

    private void input(RoutingContext ctx) {
        String name = ctx.pathParam("*");
        vertx.executeBlocking(() -> agents.input(ctx.pathParam("agent"), ctx.pathParam("job"), attempt(ctx), name)
                .orElseThrow(() -> ApiException.notFound("Input", name, "name")))
                .onSuccess(path -> ctx.response().sendFile(path.toString()))
                .onFailure(ctx::fail);
    }

    private void events(RoutingContext ctx) {
        List<String> lines = ctx.body().asString().lines().filter(l -> !l.isBlank()).toList();
        vertx.executeBlocking(() -> {
            agents.lines(ctx.pathParam("agent"), ctx.pathParam("job"), attempt(ctx), lines);
            return null;
        }).onSuccess(v -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail);
    }

    private void checkpoint(RoutingContext ctx) {
        int step = (int) parseLong(ctx.pathParam("step"), -1);
        byte[] zip = ctx.body().buffer().getBytes();
        vertx.executeBlocking(() -> {
            agents.checkpoint(ctx.pathParam("agent"), ctx.pathParam("job"), attempt(ctx), step, new ByteArrayInputStream(zip));
            return null;
        }).onSuccess(v -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail);
    }

    private void adapter(RoutingContext ctx) {
        byte[] zip = ctx.body().buffer().getBytes();
        vertx.executeBlocking(() -> {
            agents.adapter(ctx.pathParam("agent"), ctx.pathParam("job"), attempt(ctx), new ByteArrayInputStream(zip));
            return null;
        }).onSuccess(v -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail);
    }

    private void exit(RoutingContext ctx) {
        JsonObject body = ctx.body().asJsonObject();
        vertx.executeBlocking(() -> {
            agents.exited(ctx.pathParam("agent"), ctx.pathParam("job"), attempt(ctx), body.getInteger("code"), body.getString("detail"));
            return null;
        }).onSuccess(v -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail);
    }

    private static int attempt(RoutingContext ctx) {
        long n = parseLong(ctx.pathParam("attempt"), -1);
        if (n < 1) {
            throw ApiException.invalid("attempt", "invalid_value", "attempt must be a positive number, got " + ctx.pathParam("attempt"));
        }
        return (int) n;
    }

    private static long parseLong(String text, long fallback) {
        try {
            return text == null ? fallback : Long.parseLong(text);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
