package dev.loraplane.orchestrator.api;

import dev.loraplane.orchestrator.metrics.ControlPlaneMetrics;
import dev.loraplane.orchestrator.store.Database;
import dev.loraplane.orchestrator.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The API as the tests run it: two tenants (keys sk-acme, sk-globex), base model loraplane-tiny, H2 under {@code dir}. */
final class TestApi {

    private TestApi() {}

    /** Deploys the API on a free port and returns the port. */
    static int start(Vertx vertx, Path dir, long maxUploadBytes) throws Exception {
        return start(vertx, dir, maxUploadBytes, new ControlPlaneMetrics());
    }

    /** Deploys the API on a free port, its job counts read into {@code metrics} as the control plane does, and returns the port. */
    static int start(Vertx vertx, Path dir, long maxUploadBytes, ControlPlaneMetrics metrics) throws Exception {
        ApiConfig config = new ApiConfig("127.0.0.1", 0, dir, maxUploadBytes, Map.of("sk-acme", "acme", "sk-globex", "globex"),
                Map.of("loraplane-tiny", dir.resolve("tiny")));
        Store store = Store.open(Database.h2(dir.resolve("db")));
        metrics.jobCounts(store::countJobsByStatus, store::countQueuedByAccelerator);
        ApiVerticle api = new ApiVerticle(config, store, metrics);
        await(vertx.deployVerticle(api));
        return api.port();
    }

    static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
