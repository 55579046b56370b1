package dev.loraplane.orchestrator;

import dev.loraplane.engine.accelerator.AcceleratorPlugin;
import dev.loraplane.engine.accelerator.Accelerators;
import dev.loraplane.engine.accelerator.Detection;
import dev.loraplane.orchestrator.agent.AgentExecutor;
import dev.loraplane.orchestrator.api.ApiConfig;
import dev.loraplane.orchestrator.api.ApiVerticle;
import dev.loraplane.orchestrator.api.RouteMount;
import dev.loraplane.orchestrator.artifacts.ArtifactStore;
import dev.loraplane.orchestrator.cost.CostEstimator;
import dev.loraplane.orchestrator.cost.PriceTable;
import dev.loraplane.orchestrator.executor.DevicePool;
import dev.loraplane.orchestrator.evals.EvalBackend;
import dev.loraplane.orchestrator.evals.EvalRunner;
import dev.loraplane.orchestrator.executor.Executor;
import dev.loraplane.orchestrator.executor.LocalDeviceSampler;
import dev.loraplane.orchestrator.executor.LocalExecutor;
import dev.loraplane.orchestrator.jobs.BaseModel;
import dev.loraplane.orchestrator.jobs.JobRunner;
import dev.loraplane.orchestrator.jobs.Leadership;
import dev.loraplane.orchestrator.jobs.Quotas;
import dev.loraplane.orchestrator.jobs.RetryPolicy;
import dev.loraplane.orchestrator.jobs.RunnerVerticle;
import dev.loraplane.orchestrator.jobs.Scheduler;
import dev.loraplane.orchestrator.metrics.CapacityMetrics;
import dev.loraplane.orchestrator.metrics.ControlPlaneMetrics;
import dev.loraplane.orchestrator.store.Database;
import dev.loraplane.orchestrator.store.EvalStore;
import dev.loraplane.orchestrator.store.SchedulerLock;
import dev.loraplane.orchestrator.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** The control plane in one process: the store, the API, the scheduler and its executors. */
public final class ControlPlane implements AutoCloseable {

    /**
     * @param database null for the embedded H2 database under {@code dataDir/db}; the control plane
     *     closes it
     * @param local this machine's executor
     * @param prices USD per device-hour
     * @param agents who may join as a remote agent
     */
    public record Config(Path dataDir, String host, int port, Map<String, String> apiKeys, Map<String, BaseModel> baseModels,
            Database database, LocalExecutor.Config local, Quotas quotas, RetryPolicy retries, PriceTable prices,
            long maxUploadBytes, Agents agents) {}

    /**
     * Remote agents.
     *
     * @param tokens the bearer tokens agents present; none: no agent may join
     * @param timeoutSeconds how long an agent may miss heartbeats before it loses its attempts
     */
    public record Agents(Set<String> tokens, long timeoutSeconds) {

        public Agents {
            tokens = Set.copyOf(tokens);
        }
    }

    /**
     * What other modules plug in: more executors (Kubernetes), who decides which replica schedules
     * (null: the store's own lock), routes served on the same port (serving), the meters they
     * share one {@code /metrics} with (null: the control plane's own), and the served model evals run
     * on (null: evals are refused).
     */
    public record Extensions(List<Executor> executors, Leadership leadership, List<RouteMount> routes,
            ControlPlaneMetrics metrics, EvalBackend evals) {

        public static final Extensions NONE = new Extensions(List.of(), null, List.of(), null, null);

        public Extensions {
            executors = List.copyOf(executors);
            routes = List.copyOf(routes);
        }

        /** Without evals: no model is served in this process. */
        public Extensions(List<Executor> executors, Leadership leadership, List<RouteMount> routes, ControlPlaneMetrics metrics) {
            this(executors, leadership, routes, metrics, null);
        }
    }

    /** How often the local executor's devices are read for the {@code loraplane_gpu_*} series. */
    public static final Duration DEVICE_SAMPLE_PERIOD = Duration.ofSeconds(5);

    /** How often evals waiting for a runner or a job are looked at, besides when a job event wakes them. */
    static final long EVAL_SWEEP_MILLIS = 2000;

    private final ApiVerticle api;
    private final List<Executor> executors;
    private final ControlPlaneMetrics metrics;
    private final Database database;
    private final LocalDeviceSampler sampler;
    private final EvalRunner evals;

    private ControlPlane(ApiVerticle api, List<Executor> executors, ControlPlaneMetrics metrics, Database database,
            LocalDeviceSampler sampler, EvalRunner evals) {
        this.sampler = sampler;
        this.api = api;
        this.executors = executors;
        this.metrics = metrics;
        this.database = database;
        this.evals = evals;
    }

    public static Future<ControlPlane> start(Vertx vertx, Config config) {
        return start(vertx, config, Extensions.NONE);
    }

    public static Future<ControlPlane> start(Vertx vertx, Config config, Extensions extensions) {
        Database database = config.database() != null ? config.database() : Database.h2(config.dataDir().resolve("db"));
        Store store = Store.open(database);
        ArtifactStore artifacts = new ArtifactStore(config.dataDir().resolve("artifacts"));
        Map<String, Path> models = config.baseModels().values().stream()
                .collect(Collectors.toMap(BaseModel::name, BaseModel::dir));
        ControlPlaneMetrics metrics = extensions.metrics() != null ? extensions.metrics() : new ControlPlaneMetrics();
        metrics.jobCounts(store::countJobsByStatus, store::countQueuedByAccelerator);
        AgentExecutor agents = new AgentExecutor(config.dataDir(), config.agents().timeoutSeconds(), config.maxUploadBytes());
        LocalExecutor local = new LocalExecutor(config.local(), cpuProduct());
        List<Executor> executors = new ArrayList<>(List.of(local, agents));
        executors.addAll(extensions.executors());
        Supplier<List<DevicePool>> pools = () -> executors.stream().flatMap(e -> e.pools().stream()).toList();
        CapacityMetrics capacity = new CapacityMetrics(pools);
        capacity.bindTo(metrics.registry());
        vertx.setPeriodic(0, CapacityMetrics.REFRESH.toMillis(), timer -> vertx.executeBlocking(() -> {
            capacity.refresh();
            return null;
        }, false));
        ApiVerticle api = new ApiVerticle(new ApiConfig(config.host(), config.port(), config.dataDir(), config.maxUploadBytes(),
                config.apiKeys(), models), store, metrics).withAgents(agents, config.agents().tokens())
                .withCapacity(pools).withRoutes(extensions.routes());
        EvalStore evalStore = new EvalStore(database);
        EvalRunner evals = extensions.evals() == null ? null
                : new EvalRunner(store, evalStore, artifacts, extensions.evals(), config.prices());
        api.withEvals(evalStore, evals, extensions.evals());
        if (evals != null) {
            vertx.eventBus().consumer(ApiVerticle.JOBS_ADDRESS, message -> evals.wake());
            vertx.setPeriodic(0, EVAL_SWEEP_MILLIS, id -> evals.wake());
        }
        JobRunner.Policies policies = new JobRunner.Policies(new Scheduler(config.quotas()), config.retries(),
                new CostEstimator(config.prices(), store::measuredThroughput));
        JobRunner runner = new JobRunner(store, evalStore, artifacts, config.baseModels(), executors, policies, config.dataDir(),
                metrics, () -> vertx.eventBus().publish(ApiVerticle.JOBS_ADDRESS, new JsonObject().put("event", "attempt_ended")));
        executors.forEach(e -> e.onCapacityChange(
                () -> vertx.eventBus().publish(ApiVerticle.JOBS_ADDRESS, new JsonObject().put("event", "capacity"))));
        Leadership leadership = extensions.leadership() != null ? extensions.leadership() : new SchedulerLock(database);
        return vertx.deployVerticle(api)
                .compose(id -> vertx.deployVerticle(new RunnerVerticle(runner, leadership, ApiVerticle.JOBS_ADDRESS, 2000)))
                .map(id -> new ControlPlane(api, executors, metrics, database,
                        new LocalDeviceSampler(local, Accelerators::plugin, metrics).start(DEVICE_SAMPLE_PERIOD), evals));
    }

    /** The host's CPU as the cpu plugin names it: the product of the local executor's CPU slots. */
    private static String cpuProduct() {
        return Accelerators.plugin("cpu").map(AcceleratorPlugin::detect).filter(Detection::present)
                .map(d -> d.devices().get(0).product()).orElse("cpu");
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
        executors.forEach(Executor::stopAll);
    }

    /** Closes the database's connections; call it once Vert.x has closed and the verticles have stopped. */
    @Override
    public void close() {
        sampler.close();
        if (evals != null) {
            evals.close();
        }
        database.close();
    }
}
