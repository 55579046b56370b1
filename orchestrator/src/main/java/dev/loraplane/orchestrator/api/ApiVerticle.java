package dev.loraplane.orchestrator.api;

import dev.loraplane.orchestrator.agent.AgentExecutor;
import dev.loraplane.orchestrator.artifacts.ArtifactStore;
import dev.loraplane.orchestrator.evals.EvalBackend;
import dev.loraplane.orchestrator.evals.EvalRunner;
import dev.loraplane.orchestrator.executor.DevicePool;
import dev.loraplane.orchestrator.metrics.ControlPlaneMetrics;
import dev.loraplane.orchestrator.store.EvalStore;
import dev.loraplane.orchestrator.store.Store;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The control plane's HTTP API: OpenAI's routes under {@code /v1}, one failure handler for all, and
 * the Prometheus metrics at {@code /metrics} (no API key: its labels name tenants and running jobs' ids, never a file).
 */
public final class ApiVerticle extends VerticleBase {

    /** The event-bus address that hears of created and cancelled jobs: {@code {"event", "job"}}. */
    public static final String JOBS_ADDRESS = "loraplane.jobs";

    private final ApiConfig config;
    private final Store store;
    private AgentExecutor agents;
    private Set<String> agentTokens = Set.of();
    private Supplier<List<DevicePool>> capacity = List::of;
    private List<RouteMount> mounts = List.of();
    private EvalStore evals;
    private EvalRunner evalRunner;
    private EvalBackend evalBackend;
    private final ControlPlaneMetrics metrics;
    private HttpServer server;

    public ApiVerticle(ApiConfig config, Store store, ControlPlaneMetrics metrics) {
        this.config = config;
        this.store = store;
        this.metrics = metrics;
    }

    /** Serves the agent routes ({@code /agent/v1}) for {@code agents}, to holders of one of {@code tokens}. */
    public ApiVerticle withAgents(AgentExecutor agents, Set<String> tokens) {
        this.agents = agents;
        this.agentTokens = Set.copyOf(tokens);
        return this;
    }

    /** Serves {@code GET /v1/capacity}: every executor's device pools, as {@code capacity} reports them. */
    public ApiVerticle withCapacity(Supplier<List<DevicePool>> capacity) {
        this.capacity = capacity;
        return this;
    }

    /** Serves other modules' routes too (serving in {@code loraplane up}), behind the same keys and handlers. */
    public ApiVerticle withRoutes(List<RouteMount> mounts) {
        this.mounts = List.copyOf(mounts);
        return this;
    }

    /**
     * Serves {@code /v1/evals} and jobs' {@code baseline} from {@code evals}; {@code runner} and
     * {@code backend} are null where no model is served here, and evals are then refused.
     */
    public ApiVerticle withEvals(EvalStore evals, EvalRunner runner, EvalBackend backend) {
        this.evals = evals;
        this.evalRunner = runner;
        this.evalBackend = backend;
        return this;
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        router.get("/metrics").handler(this::scrape);
        ApiKeys keys = new ApiKeys(config.apiKeys());
        router.route("/v1/*").handler(keys::authenticate);
        router.route("/v1/*").handler(BodyHandler.create(config.dataDir().resolve("uploads").toString())
                .setBodyLimit(config.maxUploadBytes()).setDeleteUploadedFilesOnEnd(true));
        new FilesApi(vertx, store, new ArtifactStore(config.dataDir().resolve("artifacts"))).routes(router);
        EvalsApi evalsApi = evals == null ? null : new EvalsApi(vertx, store, evals, evalRunner, evalBackend);
        new JobsApi(vertx, store, config.baseModels().keySet(), metrics).withBaselines(evalsApi, evals).routes(router);
        if (evalsApi != null) {
            evalsApi.routes(router);
        }
        new ModelsApi(vertx, store, config.baseModels().keySet()).routes(router);
        new AdaptersApi(vertx, store, new AdapterImport(config.dataDir(), config.baseModels(), config.maxUploadBytes()))
                .routes(router);
        new CapacityApi(vertx, capacity).routes(router);
        mounts.forEach(m -> m.mount(vertx, router, store));
        if (agents != null) {
            new AgentsApi(vertx, agents, agentTokens, config.maxUploadBytes(), metrics).routes(router);
        }
        RequestMetrics.install(router, metrics);
        router.route().failureHandler(ApiErrors::handle);
        router.route().last().handler(ctx -> ctx.fail(404));
        return vertx.createHttpServer().requestHandler(router).listen(config.port(), config.host())
                .onSuccess(s -> server = s);
    }

    private void scrape(RoutingContext ctx) {
        vertx.executeBlocking(metrics::scrape, false)
                .onSuccess(text -> ctx.response().putHeader("content-type", ControlPlaneMetrics.CONTENT_TYPE).end(text))
                .onFailure(ctx::fail);
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return server.actualPort();
    }
}
