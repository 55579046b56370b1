package dev.loraplane.orchestrator.api;

import dev.loraplane.orchestrator.artifacts.ArtifactStore;
import dev.loraplane.orchestrator.store.Store;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/** The control plane's HTTP API: OpenAI's routes under {@code /v1}, one failure handler for all. */
public final class ApiVerticle extends VerticleBase {

    /** The event-bus address that hears of created and cancelled jobs: {@code {"event", "job"}}. */
    public static final String JOBS_ADDRESS = "loraplane.jobs";

    private final ApiConfig config;
    private final Store store;
    private HttpServer server;

    public ApiVerticle(ApiConfig config, Store store) {
        this.config = config;
        this.store = store;
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        ApiKeys keys = new ApiKeys(config.apiKeys());
        router.route("/v1/*").handler(keys::authenticate);
        router.route("/v1/*").handler(BodyHandler.create(config.dataDir().resolve("uploads").toString())
                .setBodyLimit(config.maxUploadBytes()).setDeleteUploadedFilesOnEnd(true));
        new FilesApi(vertx, store, new ArtifactStore(config.dataDir().resolve("artifacts"))).routes(router);
        new JobsApi(vertx, store, config.baseModels().keySet()).routes(router);
        new ModelsApi(vertx, store, config.baseModels().keySet()).routes(router);
        new AdaptersApi(vertx, store, new AdapterImport(config.dataDir(), config.baseModels(), config.maxUploadBytes()))
                .routes(router);
        router.route().failureHandler(ApiErrors::handle);
        router.route().last().handler(ctx -> ctx.fail(404));
        return vertx.createHttpServer().requestHandler(router).listen(config.port(), config.host())
                .onSuccess(s -> server = s);
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return server.actualPort();
    }
}
