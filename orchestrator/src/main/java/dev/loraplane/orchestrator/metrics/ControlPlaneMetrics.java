package dev.loraplane.orchestrator.metrics;

import dev.loraplane.engine.accelerator.DeviceTelemetry;
import dev.loraplane.orchestrator.store.JobStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The control plane's Prometheus meters, prefixed {@code loraplane_}, with the JVM's beside them.
 * Every method may be called from any thread and returns at once; none throws for a bad value.
 *
 * <p>Labels stay bounded: {@code tenant} is one of the configured tenants; {@code accelerator} is
 * one of {@link #ACCELERATORS}, {@code reason} one of {@link #RETRY_REASONS}, {@code status} a job
 * status's wire name, {@code method} a standard HTTP method, and anything else becomes
 * {@code other} (HTTP: {@code OTHER}). Durations are in seconds, money in USD.
 */
public final class ControlPlaneMetrics implements AutoCloseable {

    /** The content type of {@link #scrape()}: Prometheus text format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** The accelerator types a job may ask for: the {@code accelerator} label's values. */
    public static final List<String> ACCELERATORS = List.of("cpu", "nvidia", "amd", "apple");
    /** Why an attempt is retried: the {@code reason} label's values. */
    public static final Set<String> RETRY_REASONS = Set.of("worker_crashed", "worker_lost", "out_of_memory", "device_error",
            "control_plane_restart");

    /** The {@code route} label of a request that matched no route. */
    public static final String UNMATCHED = "unmatched";

    private static final String OTHER = "other";
    private static final Set<String> HTTP_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    private static final Duration[] QUEUE_WAIT_BUCKETS = seconds(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600,
            43200, 86400);
    private static final Duration[] JOB_DURATION_BUCKETS = seconds(60, 300, 600, 1800, 3600, 7200, 14400, 28800, 43200, 86400,
            172800);
    private static final Duration[] HTTP_BUCKETS = seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final JobCounts jobCounts;
    private final DeviceGauges devices;
    private final JobGauges jobGauges;

    /** How long a device reading stands when no newer one comes: a host that stops reporting loses its series. */
    public static final Duration DEVICE_READING_MAX_AGE = Duration.ofSeconds(60);

    /** Meters whose job counts are read at most every 5 seconds. */
    public ControlPlaneMetrics() {
        this(Duration.ofSeconds(5), DEVICE_READING_MAX_AGE);
    }

    ControlPlaneMetrics(Duration jobCountsMaxAge) {
        this(jobCountsMaxAge, DEVICE_READING_MAX_AGE);
    }

    ControlPlaneMetrics(Duration jobCountsMaxAge, Duration deviceReadingMaxAge) {
        jobCounts = new JobCounts(jobCountsMaxAge);
        devices = new DeviceGauges(registry, deviceReadingMaxAge);
        jobGauges = new JobGauges(registry);
        for (JobStatus status : JobStatus.values()) {
            Gauge.builder("loraplane.jobs", jobCounts, c -> c.jobs(status)).tag("status", status.wireName())
                    .description("Jobs in each status, across tenants").register(registry);
        }
        for (String accelerator : ACCELERATORS) {
            Gauge.builder("loraplane.queue.depth", jobCounts, c -> c.queued(accelerator)).tag("accelerator", accelerator)
                    .description("Queued jobs by the accelerator type they ask for").register(registry);
        }
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** The registry itself, for other parts of the process (serving in {@code loraplane up}) to add their meters to. */
    public MeterRegistry registry() {
        return registry;
    }

    /**
     * A training attempt started (the first of a job or a retry): counts
     * {@code loraplane_attempts_started_total{tenant,accelerator}} and records how long the job waited
     * in the queue for it in {@code loraplane_queue_wait_seconds{accelerator}}.
     */
    public void attemptStarted(String tenant, String accelerator, double queueWaitSeconds) {
        Counter.builder("loraplane.attempts.started").description("Training attempts started")
                .tags("tenant", tenant(tenant), "accelerator", accelerator(accelerator)).register(registry).increment();
        Timer.builder("loraplane.queue.wait").description("Time a job waited in the queue before an attempt started")
                .tag("accelerator", accelerator(accelerator)).serviceLevelObjectives(QUEUE_WAIT_BUCKETS).register(registry)
                .record(nanos(queueWaitSeconds), TimeUnit.NANOSECONDS);
    }

    /**
     * An attempt ended without finishing its job, which will be tried again: counts
     * {@code loraplane_attempt_retries_total{accelerator,reason}}. The tenant is not a label of this
     * series.
     *
     * @param reason one of {@link #RETRY_REASONS}; any other is counted as {@code other}
     */
    public void attemptRetried(String tenant, String accelerator, String reason) {
        Counter.builder("loraplane.attempt.retries").description("Training attempts that ended early and will be retried")
                .tags("accelerator", accelerator(accelerator), "reason", reason(reason))
                .register(registry).increment();
    }

    /**
     * A job reached a final status: counts {@code loraplane_jobs_finished_total{tenant,accelerator,status}}
     * and records its duration from creation to the end in {@code loraplane_job_duration_seconds{accelerator,status}}.
     *
     * @param status the job status's wire name: {@code succeeded}, {@code failed} or {@code cancelled}
     */
    public void jobFinished(String tenant, String accelerator, String status, double durationSeconds) {
        String statusLabel = status(status);
        Counter.builder("loraplane.jobs.finished").description("Jobs that reached a final status")
                .tags("tenant", tenant(tenant), "accelerator", accelerator(accelerator), "status", statusLabel).register(registry)
                .increment();
        Timer.builder("loraplane.job.duration").description("Time from a job's creation to its final status")
                .tags("accelerator", accelerator(accelerator), "status", statusLabel)
                .serviceLevelObjectives(JOB_DURATION_BUCKETS).register(registry)
                .record(nanos(durationSeconds), TimeUnit.NANOSECONDS);
    }

    /**
     * Tokens trained on since the last call for this job (by an attempt's progress or a finished job):
     * adds to {@code loraplane_trained_tokens_total{tenant,accelerator}}.
     */
    public void trainedTokens(String tenant, String accelerator, long tokens) {
        add(Counter.builder("loraplane.trained.tokens").description("Tokens trained on")
                .tags("tenant", tenant(tenant), "accelerator", accelerator(accelerator)), tokens);
    }

    /**
     * Device time an attempt used since the last call for it, and what that time cost: adds to {@code loraplane_device_seconds_total{tenant,accelerator}}
     * and {@code loraplane_cost_usd_total{tenant,accelerator,kind="training"}}.
     */
    public void deviceTime(String tenant, String accelerator, double deviceSeconds, double costUsd) {
        add(Counter.builder("loraplane.device").baseUnit("seconds").description("Accelerator time used by training")
                .tags("tenant", tenant(tenant), "accelerator", accelerator(accelerator)), deviceSeconds);
        add(Counter.builder("loraplane.cost.usd").description("Cost of the accelerator time used, in USD")
                .tags("tenant", tenant(tenant), "accelerator", accelerator(accelerator), "kind", "training"), costUsd);
    }

    /**
     * Readings of devices on {@code host} taken just now, by this host's sampler or by a worker: they
     * replace the devices' earlier readings in the {@code loraplane_gpu_*} series (see
     * {@link DeviceGauges}).
     *
     * @param jobId the job running on them, or null when none does
     * @param tenant that job's tenant, or null
     */
    public void deviceReadings(String host, String jobId, String tenant, List<DeviceTelemetry> readings) {
        devices.record(host, jobId, jobId == null ? null : tenant(tenant), readings);
    }

    /** A running job's latest figure: sets its {@link JobFigure} gauge, registered on the first call. */
    public void jobFigure(String jobId, String tenant, JobFigure figure, double value) {
        jobGauges.set(jobId, tenant(tenant), figure, value);
    }

    /**
     * Device time an attempt kept busy since the last call for it, priced: adds to
     * {@code loraplane_effective_cost_usd_total{tenant,accelerator,kind="training"}}, the part of
     * {@code loraplane_cost_usd_total} the devices' measured utilization accounts for.
     */
    public void effectiveCost(String tenant, String accelerator, double usd) {
        add(Counter.builder("loraplane.effective.cost.usd").description("Cost of the accelerator time kept busy, in USD")
                .tags("tenant", tenant(tenant), "accelerator", accelerator(accelerator), "kind", "training"), usd);
    }

    /** A job's attempt ended (or the job did): its {@link JobFigure} gauges and its devices' readings go. */
    public void jobEnded(String jobId) {
        jobGauges.jobEnded(jobId);
        devices.jobEnded(jobId);
    }

    /**
     * Where the gauges {@code loraplane_jobs{status}} and {@code loraplane_queue_depth{accelerator}}
     * read from; a later call replaces the suppliers. They are called from {@link #scrape()}, at most
     * once every few seconds, never from the event loop; statuses and accelerators they leave out are 0.
     *
     * @param byStatus jobs by status, across tenants
     * @param queuedByAccelerator queued jobs by accelerator type
     */
    public void jobCounts(Supplier<Map<JobStatus, Long>> byStatus, Supplier<Map<String, Long>> queuedByAccelerator) {
        jobCounts.readFrom(byStatus, queuedByAccelerator);
    }

    /**
     * An API request ended: records {@code loraplane_http_server_requests_seconds{method,route,status}}.
     *
     * @param route the matched route's template ({@code /v1/fine_tuning/jobs/:id}), never a raw path;
     *     null for a request that matched none ({@link #UNMATCHED})
     */
    public void httpRequest(String method, String route, int status, long nanos) {
        Timer.builder("loraplane.http.server.requests").description("API requests by route template and status")
                .tags("method", method(method), "route", route != null ? route : UNMATCHED, "status", Integer.toString(status))
                .serviceLevelObjectives(HTTP_BUCKETS).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Every series in Prometheus text format ({@link #CONTENT_TYPE}), the job counts read first when
     * they are older than a few seconds. Blocking (the counts may come from the database): call it off
     * the event loop.
     */
    public String scrape() {
        jobCounts.refreshIfStale();
        devices.expire();
        return registry.scrape(CONTENT_TYPE);
    }

    /** Stops the garbage-collection listeners and the registry. */
    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    private void add(Counter.Builder counter, double amount) {
        if (amount > 0) {
            counter.register(registry).increment(amount);
        }
    }

    private static String tenant(String tenant) {
        return tenant != null ? tenant : OTHER;
    }

    private static String accelerator(String type) {
        return type != null && ACCELERATORS.contains(type) ? type : OTHER;
    }

    private static String reason(String reason) {
        return reason != null && RETRY_REASONS.contains(reason) ? reason : OTHER;
    }

    private static String status(String wireName) {
        for (JobStatus s : JobStatus.values()) {
            if (s.wireName().equals(wireName)) {
                return wireName;
            }
        }
        return OTHER;
    }

    private static String method(String method) {
        return method != null && HTTP_METHODS.contains(method) ? method : "OTHER";
    }

    private static long nanos(double seconds) {
        return seconds > 0 ? (long) (seconds * 1e9) : 0;
    }

    private static Duration[] seconds(double... values) {
        Duration[] out = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Duration.ofNanos(nanos(values[i]));
        }
        return out;
    }
}
