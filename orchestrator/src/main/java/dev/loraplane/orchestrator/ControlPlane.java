package dev.loraplane.orchestrator;

import dev.loraplane.orchestrator.api.ApiConfig;
import dev.loraplane.orchestrator.api.ApiVerticle;
import dev.loraplane.orchestrator.artifacts.ArtifactStore;
import dev.loraplane.orchestrator.jobs.BaseModel;
import dev.loraplane.orchestrator.jobs.JobRunner;
import dev.loraplane.orchestrator.jobs.LocalExecutor;
import dev.loraplane.orchestrator.jobs.RunnerVerticle;
import dev.loraplane.orchestrator.metrics.ControlPlaneMetrics;
import dev.loraplane.orchestrator.store.Database;
import dev.loraplane.orchestrator.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The control plane in one process: the store, the API, and the job runner with the local executor. */
public final class ControlPlane {

    /**
     * @param database null for the embedded H2 database under {@code dataDir/db}
     * @param workerCommand how to start {@code loraplane worker}, before {@code --spec FILE}
     * @param slots jobs the local executor runs at once
     */
    public record Config(Path dataDir, String host, int port, Map<String, String> apiKeys, Map<String, BaseModel> baseModels,
            Database database, List<String> workerCommand, int slots, long maxUploadBytes) {}

    private final ApiVerticle api;
    private final LocalExecutor executor;
    private final ControlPlaneMetrics metrics;

    private ControlPlane(ApiVerticle api, LocalExecutor executor, ControlPlaneMetrics metrics) {
        this.api = api;
        this.executor = executor;
        this.metrics = metrics;
    }

    public static Future<ControlPlane> start(Vertx vertx, Config config) {
        Store store = Store.open(config.database() != null ? config.database() : Database.h2(config.dataDir().resolve("db")));
        ArtifactStore artifacts = new ArtifactStore(config.dataDir().resolve("artifacts"));
        Map<String, Path> models = config.baseModels().values().stream()
                .collect(Collectors.toMap(BaseModel::name, BaseModel::dir));
        ControlPlaneMetrics metrics = new ControlPlaneMetrics();
        metrics.jobCounts(store::countJobsByStatus, store::countQueuedByAccelerator);
        ApiVerticle api = new ApiVerticle(new ApiConfig(config.host(), config.port(), config.dataDir(), config.maxUploadBytes(),
                config.apiKeys(), models), store, metrics);
        LocalExecutor executor = new LocalExecutor(config.workerCommand(), config.slots());
        JobRunner runner = new JobRunner(store, artifacts, config.baseModels(), executor, config.dataDir());
        return vertx.deployVerticle(api)
                .compose(id -> vertx.deployVerticle(new RunnerVerticle(runner, ApiVerticle.JOBS_ADDRESS, 2000)))
                .map(id -> new ControlPlane(api, executor, metrics));
    }

    public int port() {
        return api.port();
    }

    /** The control plane's Prometheus meters, served at {@code /metrics}. */
    public ControlPlaneMetrics metrics() {
        return metrics;
    }

    /** Stops the workers (each checkpoints first); their jobs resume at the next start. */
    public void stopWorkers() {
        executor.stopAll(30);
    }
}
