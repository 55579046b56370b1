package dev.loraplane.orchestrator.jobs;

import dev.loraplane.datasets.DatasetValidator;
import dev.loraplane.datasets.Problem;
import dev.loraplane.datasets.ProblemCode;
import dev.loraplane.datasets.ValidationReport;
import dev.loraplane.datasets.encode.ExampleEncoder;
import dev.loraplane.engine.accelerator.DeviceTelemetry;
import dev.loraplane.engine.tokenizer.Tokenizer;
import dev.loraplane.engine.tokenizer.TrainingText;
import dev.loraplane.engine.train.JobSpec;
import dev.loraplane.orchestrator.artifacts.ArtifactStore;
import dev.loraplane.orchestrator.cost.CostEstimate;
import dev.loraplane.orchestrator.cost.CostEstimator;
import dev.loraplane.orchestrator.cost.PriceTable;
import dev.loraplane.orchestrator.executor.AcceleratorRequest;
import dev.loraplane.orchestrator.executor.Attempt;
import dev.loraplane.orchestrator.executor.AttemptExit;
import dev.loraplane.orchestrator.executor.AttemptListener;
import dev.loraplane.orchestrator.executor.DevicePool;
import dev.loraplane.orchestrator.executor.Executor;
import dev.loraplane.orchestrator.metrics.ControlPlaneMetrics;
import dev.loraplane.orchestrator.metrics.JobFigure;
import dev.loraplane.orchestrator.store.Adapter;
import dev.loraplane.orchestrator.store.AttemptRecord;
import dev.loraplane.orchestrator.store.EvalStore;
import dev.loraplane.orchestrator.store.Job;
import dev.loraplane.orchestrator.store.JobEvent;
import dev.loraplane.orchestrator.store.JobStateException;
import dev.loraplane.orchestrator.store.JobStatus;
import dev.loraplane.orchestrator.store.Store;
import dev.loraplane.orchestrator.store.StoredFile;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves jobs along from what the store says: validates files and estimates cost (validating_files →
 * queued or failed), starts queued jobs where the {@link Scheduler} places them (queued → running; a
 * job with a baseline once its eval has measured the baseline, or failed), turns the workers' lines
 * into events, bills each attempt's device time, and ends jobs (succeeded with a registered adapter,
 * failed, or back to the queue: at once when a worker was stopped, after a backoff when it died).
 * The store is the truth; a sweep may run any time and repeats nothing.
 */
public final class JobRunner {

    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
    /** Error codes of worker failures caused by the machine, not the job: retried. */
    private static final Set<String> INFRASTRUCTURE_ERRORS = Set.of("out_of_memory", "device_error");

    /** Steps between checkpoints, and between validation losses when the job has validation data. */
    private static final int CHECKPOINT_EVERY = 10;

    /** The policies a runner applies. */
    public record Policies(Scheduler scheduler, RetryPolicy retries, CostEstimator costs) {}

    /** What the runner knows of an attempt in flight. */
    private record Live(Job job, AttemptRecord attempt, AttemptCost cost) {

        /** Billed from where the store says the counters were left: the start, for a new attempt. */
        Live(Job job, AttemptRecord attempt, PriceTable prices) {
            this(job, attempt, new AttemptCost(prices.usdPerHour(attempt.accelerator(), attempt.product()), attempt.devices(),
                    attempt.startedAt() * 1000, billedFrom(attempt), attempt.effectiveUsd()));
        }
    }

    private final Store store;
    private final EvalStore evals;
    private final ArtifactStore artifacts;
    private final Map<String, BaseModel> models;
    private final List<Executor> executors;
    private final Policies policies;
    private final Path dataDir;
    private final ControlPlaneMetrics metrics;
    private final Runnable wake;
    private final Map<String, Live> live = new ConcurrentHashMap<>();
    /** Jobs whose attempt already ended through a line (completed, error): their exit only closes the books. */
    private final Set<String> ended = ConcurrentHashMap.newKeySet();
    /** The last reason shown for each waiting job, so a reason is written once, not every sweep. */
    private final Map<String, String> waitingReasons = new ConcurrentHashMap<>();

    /**
     * @param evals where jobs' baseline evals say whether they hold back training
     * @param wake asks for a sweep soon (an attempt ended, so devices are free)
     */
    public JobRunner(Store store, EvalStore evals, ArtifactStore artifacts, Map<String, BaseModel> models,
            List<Executor> executors, Policies policies, Path dataDir, ControlPlaneMetrics metrics, Runnable wake) {
        this.store = store;
        this.evals = evals;
        this.artifacts = artifacts;
        this.models = Map.copyOf(models);
        this.executors = List.copyOf(executors);
        this.policies = policies;
        this.dataDir = dataDir;
        this.metrics = metrics;
        this.wake = wake;
    }

    /** One pass over the store. Blocking: run it off the event loop, and only on the leader. */
    public synchronized void sweep() {
        for (Job job : store.jobsIn(List.of(JobStatus.RUNNING))) {
            if (!live.containsKey(job.id()) && !adopted(job) && executors.stream().noneMatch(e -> e.isRunning(job.id()))) {
                orphaned(job);
            }
        }
        for (Job job : store.jobsIn(List.of(JobStatus.VALIDATING_FILES))) {
            validate(job);
        }
        schedule();
    }

    /** Stops the worker of a job that was cancelled. */
    public void cancelled(String jobId) {
        executors.forEach(e -> e.cancel(jobId));
        waitingReasons.remove(jobId);
    }

    private void schedule() {
        List<Job> queued = store.jobsIn(List.of(JobStatus.QUEUED)).stream().filter(job -> !awaitsBaseline(job)).toList();
        if (queued.isEmpty()) {
            waitingReasons.clear();
            return;
        }
        List<DevicePool> pools = executors.stream().flatMap(e -> e.pools().stream()).toList();
        Scheduler.Plan plan = policies.scheduler().plan(queued, store.jobsIn(List.of(JobStatus.RUNNING)), pools, now());
        for (Scheduler.Placement placement : plan.placements()) {
            waitingReasons.remove(placement.job().id());
            start(placement.job(), placement.pool());
        }
        waitingReasons.keySet().retainAll(plan.waiting().keySet());
        plan.waiting().forEach((jobId, reason) -> {
            if (!reason.equals(waitingReasons.put(jobId, reason)) && !reason.startsWith("Waiting for")) {
                store.appendEvent(jobId, now(), "warn", "message", reason, null);   // busy devices are normal; the rest is news
            }
        });
    }

    /** A job with a baseline trains only once its eval has measured the baseline on the base model as it is, or failed. */
    private boolean awaitsBaseline(Job job) {
        JsonObject baseline = new JsonObject(job.request()).getJsonObject("baseline");
        return baseline != null && evals.holdsTraining(baseline.getString("eval_id"));
    }

    private void validate(Job job) {
        BaseModel model = models.get(job.model());
        try (Tokenizer tokenizer = Tokenizer.load(model.dir())) {
            TrainingText text = new TrainingText(tokenizer);
            ExampleEncoder encoder = ExampleEncoder.builder().setTokenizer(text).setMaxTokens(model.maxSeqLen())
                    .optChatRenderer(text.chatRenderer()).build();
            AtomicLong tokens = new AtomicLong();
            ValidationReport report = DatasetValidator.builder().optTokenLimit(example -> {
                int n = encoder.countTokens(example);
                tokens.addAndGet(Math.min(n, model.maxSeqLen()));
                return n;
            }, model.maxSeqLen()).build().validate(blob(job.tenant(), job.trainingFile()));
            List<Problem> fatal = report.problems().stream().filter(p -> p.code() != ProblemCode.EXAMPLE_TOO_LONG).toList();
            long tooLong = report.problems().size() - fatal.size();
            if (!fatal.isEmpty()) {
                fail(job, JobStatus.VALIDATING_FILES, "invalid_training_file", "training_file", "The training file has "
                        + fatal.size() + " problem(s): " + fatal.stream().limit(5).map(Problem::message).collect(Collectors.joining("; ")));
                return;
            }
            AcceleratorRequest accelerator = Scheduler.accelerator(job);
            CostEstimate estimate = policies.costs().estimate(job.model(), model.tokensPerSecond(), accelerator.type(),
                    accelerator.product(), accelerator.count(), tokens.get(), epochs(new JsonObject(job.request())));
            long now = now();
            store.transition(job.queued(now, null, estimate.usd()), List.of(JobStatus.VALIDATING_FILES),
                    new JobEvent(job.id(), 0, now, "info", "message", "Validated training file: " + report.validExamples()
                            + " examples, " + tokens.get() + " tokens (" + estimate.tokens() + " to train on over all epochs)"
                            + (tooLong > 0 ? "; " + tooLong + " longer than "
                            + model.maxSeqLen() + " tokens will be truncated" : "") + ". " + describe(estimate, accelerator),
                            new JsonObject().put("tokens", estimate.tokens()).put("estimated_seconds", estimate.seconds())
                                    .put("estimated_cost_usd", estimate.usd()).put("tokens_per_second", estimate.tokensPerSecond())
                                    .put("throughput_measured", estimate.measured()).encode()));
        } catch (JobStateException e) {
            LOG.info("{}: {}", job.id(), e.getMessage());   // cancelled while its files were being validated
        } catch (RuntimeException e) {
            LOG.warn("validating {} failed", job.id(), e);
            fail(job, JobStatus.VALIDATING_FILES, "validation_failed", "training_file", "The training file could not be validated: "
                    + e.getMessage());
        }
    }

    private static String describe(CostEstimate estimate, AcceleratorRequest accelerator) {
        return String.format(Locale.ROOT, "Estimated %s on %s at %.0f tokens/s per device (%s): $%.4f",
                duration(estimate.seconds()), accelerator.describe(), estimate.tokensPerSecond(),
                estimate.measured() ? "measured on earlier jobs" : "configured", estimate.usd());
    }

    private static String duration(double seconds) {
        if (seconds < 120) {
            return String.format(Locale.ROOT, "%.0f s", seconds);
        }
        return seconds < 7200 ? String.format(Locale.ROOT, "%.0f min", seconds / 60)
                : String.format(Locale.ROOT, "%.1f h", seconds / 3600);
    }

    private void start(Job job, DevicePool pool) {
        JsonObject request = new JsonObject(job.request());
        BaseModel model = models.get(job.model());
        Path checkpoints = dataDir.resolve("jobs").resolve(job.id()).resolve("checkpoints");
        JobSpec spec = new JobSpec(job.id(), model.dir(), blob(job.tenant(), job.trainingFile()),
                job.validationFile() == null ? null : blob(job.tenant(), job.validationFile()),
                dataDir.resolve("adapters").resolve(job.id()), checkpoints, latestCheckpoint(checkpoints).orElse(null),
                hyperparameters(request, model), lora(request), request.getString("quantization", "nf4"), model.maxSeqLen(),
                false, 0);
        AcceleratorRequest accelerator = Scheduler.accelerator(job);
        int number = job.attempts() + 1;
        long startedAt = now();   // whole seconds, as the store keeps it: a control plane that re-attaches bills the same
        AttemptRecord record = AttemptRecord.started(job.id(), number, pool.where(), pool.type(), pool.product(),
                accelerator.count(), startedAt);
        Job running;
        try {
            running = store.startAttempt(job.moved(JobStatus.RUNNING, number, null), record, new JobEvent(job.id(), 0, now(),
                    "info", "message", (spec.resumeFrom() == null ? "Fine-tuning job started" : "Fine-tuning job resumed from "
                    + spec.resumeFrom().getFileName()) + " (attempt " + number + ", " + accelerator.count() + " × " + pool.type()
                    + " " + pool.product() + " on " + pool.where() + ")", null));
        } catch (JobStateException e) {
            return;   // cancelled meanwhile
        }
        metrics.attemptStarted(job.tenant(), pool.type(), Math.max(0, startedAt
                - (job.queuedAt() != null ? job.queuedAt() : job.createdAt())));
        Live attempt = new Live(running, record, policies.costs().prices());
        live.put(job.id(), attempt);
        ended.remove(job.id());
        Executor executor = executors.stream().filter(e -> e.name().equals(pool.executor())).findFirst().orElseThrow();
        try {
            executor.start(new Attempt(job.id(), job.tenant(), number, accelerator, spec), pool, listener(attempt, request));
        } catch (RuntimeException e) {
            LOG.warn("{}: the executor could not start it", job.id(), e);
            onExit(attempt, new AttemptExit(AttemptExit.LOST, "the executor could not start it: " + e.getMessage()));
        }
    }

    /**
     * A running job this runner did not start (the control plane restarted, or another replica led):
     * the executor that still runs its open attempt, if one does, reports to this runner from now on,
     * replaying what the worker wrote since the job was last heard of.
     */
    private boolean adopted(Job job) {
        AttemptRecord record = store.attempts(job.id()).stream().filter(a -> a.endedAt() == null && a.number() == job.attempts())
                .findFirst().orElse(null);
        if (record == null) {
            return false;
        }
        Live attempt = new Live(job, record, policies.costs().prices());
        live.put(job.id(), attempt);   // first: the executor may replay the attempt's end at once
        ended.remove(job.id());
        Instant since = Instant.ofEpochSecond(lastHeard(job) - 1);   // a second early: a line twice rather than none
        AttemptListener listener = listener(attempt, new JsonObject(job.request()));
        for (Executor executor : executors) {
            boolean runsIt = record.executor().equals(executor.name()) || record.executor().startsWith(executor.name() + ":");
            if (runsIt && executor.adopt(job.id(), record.number(), since, listener)) {
                LOG.info("{}: re-attached to attempt {} on {}", job.id(), record.number(), record.executor());
                return true;
            }
        }
        live.remove(job.id(), attempt);
        return false;
    }

    private AttemptListener listener(Live attempt, JsonObject request) {
        return new AttemptListener() {
            @Override
            public void line(String line) {
                onLine(attempt, request, line);
            }

            @Override
            public void event(String level, String message) {
                store.appendEvent(attempt.job().id(), now(), level, "message", message, null);
            }

            @Override
            public void exited(AttemptExit exit) {
                onExit(attempt, exit);
            }
        };
    }

    private void onLine(Live attempt, JsonObject request, String text) {
        Job job = attempt.job();
        JsonObject line;
        try {
            line = new JsonObject(text);
        } catch (RuntimeException e) {
            LOG.warn("{}: worker printed a line that is not JSON: {}", job.id(), text);
            return;
        }
        try {
            switch (line.getString("type", "")) {
                case "progress" -> {
                    store.progress(job.id(), now(), WorkerLine.message(line), WorkerLine.metrics(line).encode(),
                            now() + Math.round(line.getDouble("eta_seconds", 0.0)));
                    WorkerLine.figures(line).forEach((figure, value) -> metrics.jobFigure(job.id(), job.tenant(), figure, value));
                    accrue(attempt, System.currentTimeMillis());
                }
                case "eval" -> {
                    store.appendEvent(job.id(), now(), "info", "metrics", WorkerLine.message(line),
                            WorkerLine.metrics(line).encode());
                    metrics.jobFigure(job.id(), job.tenant(), JobFigure.EVAL_LOSS, line.getDouble("eval_loss"));
                }
                case "telemetry" -> {
                    if (!ended.contains(job.id())) {   // a reading after the end would bring the job's series back
                        telemetry(attempt, line);
                    }
                }
                case "started" -> store.appendEvent(job.id(), now(), "info", "message", WorkerLine.message(line), null);
                case "checkpoint" -> store.appendEvent(job.id(), now(), "info", "checkpoint", WorkerLine.message(line),
                        new JsonObject().put("step", line.getInteger("step")).put("path", line.getString("path")).encode());
                case "completed" -> {
                    ended.add(job.id());
                    bill(attempt, "succeeded");
                    succeed(job, request, line);
                }
                case "error" -> {
                    ended.add(job.id());
                    String code = line.getString("code");
                    if (INFRASTRUCTURE_ERRORS.contains(code)) {
                        bill(attempt, code);
                        retryOrFail(job, code, line.getString("message"));
                    } else {
                        bill(attempt, "failed");
                        fail(job, JobStatus.RUNNING, code, null, line.getString("message"));
                    }
                }
                default -> { }
            }
        } catch (JobStateException e) {
            LOG.info("{}: {}", job.id(), e.getMessage());   // cancelled while the worker was still talking
        }
    }

    /**
     * Bills the device time held since the last line, so the cost counters grow while the attempt runs,
     * recording first in the store how far they got.
     */
    private void accrue(Live attempt, long nowMillis) {
        double deviceSeconds = attempt.cost().unbilledDeviceSeconds(nowMillis);
        AttemptRecord a = attempt.attempt();
        store.billed(a.jobId(), a.number(), attempt.cost().billedUntil(), attempt.cost().effectiveUsd());
        metrics.deviceTime(attempt.job().tenant(), a.accelerator(), deviceSeconds, attempt.cost().usd(deviceSeconds));
        metrics.jobFigure(a.jobId(), attempt.job().tenant(), JobFigure.ALLOCATED_COST, attempt.cost().allocatedUsd(nowMillis));
    }

    /**
     * A worker's readings of its devices: they become the devices' series under this job, and their
     * mean utilization prices the time since the previous reading as effective cost.
     */
    private void telemetry(Live attempt, JsonObject line) {
        Job job = attempt.job();
        List<DeviceTelemetry> devices = WorkerLine.devices(line);
        metrics.deviceReadings(line.getString("host", attempt.attempt().executor()), job.id(), job.tenant(), devices);
        long nowMillis = System.currentTimeMillis();
        List<Double> utilization = devices.stream().map(DeviceTelemetry::utilization).filter(u -> u != null).toList();
        Double effectiveUsd = utilization.isEmpty() ? null : attempt.cost().measured(utilization.stream()
                .mapToDouble(Double::doubleValue).average().orElseThrow(), nowMillis);
        accrue(attempt, nowMillis);
        if (effectiveUsd == null) {
            return;   // no tool measured it: the effective cost stays unknown, not zero
        }
        metrics.effectiveCost(job.tenant(), attempt.attempt().accelerator(), effectiveUsd);
        double effective = attempt.cost().effectiveUsd();
        double allocated = attempt.cost().allocatedUsd(nowMillis);
        metrics.jobFigure(job.id(), job.tenant(), JobFigure.EFFECTIVE_COST, effective);
        metrics.jobFigure(job.id(), job.tenant(), JobFigure.WASTED_COST, Math.max(0, allocated - effective));
    }

    private void onExit(Live attempt, AttemptExit exit) {
        try {
            exited(attempt, exit);
        } finally {
            live.remove(attempt.job().id(), attempt);   // only now: a sweep meanwhile must not take the job for orphaned
            wake.run();
        }
    }

    private void exited(Live attempt, AttemptExit exit) {
        Job job = attempt.job();
        if (ended.remove(job.id())) {
            return;
        }
        Optional<Job> current = store.jobById(job.id());
        if (current.isEmpty() || current.get().status() != JobStatus.RUNNING || current.get().attempts() != attempt.attempt().number()) {
            bill(attempt, current.map(j -> j.status().wireName()).orElse("gone"));   // cancelled: its time is still paid for
            return;
        }
        if (exit.code() == AttemptExit.STOPPED) {
            bill(attempt, "stopped");
            requeue(current.get(), null, "The worker was stopped after writing a checkpoint; the job goes back to the queue");
            return;
        }
        String code = exit.code() == AttemptExit.LOST ? "worker_lost" : "worker_crashed";
        bill(attempt, code);
        retryOrFail(current.get(), code, (exit.code() == AttemptExit.LOST ? "The worker was lost"
                : "The worker exited with code " + exit.code()) + " before finishing; " + exit.detail());
    }

    /** An infrastructure failure: back to the queue after a backoff while attempts are left, else failed. */
    private void retryOrFail(Job job, String code, String message) {
        long failures = store.attempts(job.id()).stream()
                .filter(a -> a.outcome() != null && (a.outcome().equals("worker_crashed") || a.outcome().equals("worker_lost")
                        || INFRASTRUCTURE_ERRORS.contains(a.outcome()))).count();
        long now = now();
        Long retryAt = policies.retries().retryAt((int) failures, now);
        if (retryAt == null) {
            fail(job, JobStatus.RUNNING, code, null, message + ". No attempt is left: " + failures + " of "
                    + policies.retries().maxAttempts() + " failed");
            return;
        }
        metrics.attemptRetried(job.tenant(), Scheduler.accelerator(job).type(), code);
        requeue(job, retryAt, message + ". Retrying in " + (retryAt - now) + " s from the last checkpoint (failure " + failures
                + " of " + policies.retries().maxAttempts() + " allowed)");
    }

    /**
     * A running job with no worker anywhere: the control plane restarted, or its executor lost it. Its
     * attempt ends when it was last heard of (or last billed, if later); the counters get what the
     * control plane before did not bill.
     */
    private void orphaned(Job job) {
        long lastHeard = lastHeard(job);
        PriceTable prices = policies.costs().prices();
        store.attempts(job.id()).stream().filter(a -> a.endedAt() == null).forEach(a -> {
            long endMillis = Math.max(lastHeard * 1000, billedFrom(a));
            double deviceSeconds = Math.max(0, endMillis - a.startedAt() * 1000) / 1000.0 * a.devices();
            if (store.endAttempt(a.jobId(), a.number(), endMillis / 1000, "control_plane_restart", deviceSeconds,
                    prices.cost(a.accelerator(), a.product(), deviceSeconds))) {
                double unbilled = (endMillis - billedFrom(a)) / 1000.0 * a.devices();
                metrics.deviceTime(job.tenant(), a.accelerator(), unbilled, prices.cost(a.accelerator(), a.product(), unbilled));
            }
            metrics.jobEnded(job.id());
            metrics.attemptRetried(job.tenant(), a.accelerator(), "control_plane_restart");
        });
        requeue(job, null, "The worker is gone (the control plane restarted); the job goes back to the queue and resumes"
                + " from its last checkpoint");
    }

    /** Epoch milliseconds up to which the attempt's device time is in the cost counters. */
    private static long billedFrom(AttemptRecord a) {
        return a.billedUntil() != null ? a.billedUntil() : a.startedAt() * 1000;
    }

    /** When the job's latest event was written (epoch seconds): the last the control plane heard of it. */
    private long lastHeard(Job job) {
        return store.eventsNewestFirst(job.id(), 0, 1).stream().mapToLong(JobEvent::createdAt).findFirst().orElse(now());
    }

    /**
     * Ends the attempt's books: devices × seconds held, at its accelerator's price, of which the metrics
     * get what the lines have not billed yet; the job's running series go.
     */
    private void bill(Live attempt, String outcome) {
        AttemptRecord a = attempt.attempt();
        long nowMillis = System.currentTimeMillis();
        double deviceSeconds = (nowMillis - a.startedAt() * 1000) / 1000.0 * a.devices();
        double cost = policies.costs().prices().cost(a.accelerator(), a.product(), deviceSeconds);
        if (store.endAttempt(a.jobId(), a.number(), now(), outcome, deviceSeconds, cost)) {
            double rest = attempt.cost().unbilledDeviceSeconds(nowMillis);
            metrics.deviceTime(attempt.job().tenant(), a.accelerator(), rest, attempt.cost().usd(rest));
        }
        metrics.jobEnded(a.jobId());
    }

    private void succeed(Job job, JsonObject request, JsonObject line) {
        Path adapter = Path.of(line.getString("adapter"));
        long bytes;
        try (Stream<Path> files = Files.walk(adapter)) {
            bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            fail(job, JobStatus.RUNNING, "adapter_unreadable", null, "The adapter at " + adapter + " cannot be read: " + e.getMessage());
            return;
        }
        String suffix = request.getString("suffix");
        String name = "ft:" + job.model() + ":" + (suffix == null ? "" : suffix) + ":" + job.id().substring(6, 14);
        long now = now();
        Job done = job.succeeded(name, line.getLong("trained_tokens"), now);
        store.succeed(done, new Adapter(name, 0, job.tenant(), job.model(), job.id(), adapter.toString(), line.getString("sha256"),
                bytes, now), new JobEvent(job.id(), 0, now, "info", "message", "The job has successfully completed: " + name, null));
        String accelerator = Scheduler.accelerator(job).type();
        metrics.jobFinished(job.tenant(), accelerator, "succeeded", now - job.createdAt());
        metrics.trainedTokens(job.tenant(), accelerator, done.trainedTokens() == null ? 0 : done.trainedTokens());
    }

    /** Fails the job if it is still {@code from}; a job someone else moved (cancelled) is left as it is. */
    private void fail(Job job, JobStatus from, String code, String param, String message) {
        Job failed = job.failed(code, message, param, now());
        try {
            store.transition(failed, List.of(from), new JobEvent(job.id(), 0, now(), "error", "message", message, null));
            metrics.jobFinished(job.tenant(), Scheduler.accelerator(job).type(), "failed", failed.finishedAt() - job.createdAt());
        } catch (JobStateException e) {
            LOG.info("{}: {}", job.id(), e.getMessage());
        }
    }

    private void requeue(Job job, Long notBefore, String message) {
        try {
            store.transition(job.queued(now(), notBefore, job.estimatedCostUsd()), List.of(JobStatus.RUNNING),
                    new JobEvent(job.id(), 0, now(), "warn", "message", message, null));
        } catch (JobStateException e) {
            LOG.info("{}: {}", job.id(), e.getMessage());
        }
    }

    private Path blob(String tenant, String fileId) {
        StoredFile file = store.file(tenant, fileId).orElseThrow(() -> new IllegalStateException("file " + fileId + " is gone"));
        return artifacts.path(file.sha256());
    }

    private static Optional<Path> latestCheckpoint(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> p.getFileName().toString().matches("checkpoint-\\d+"))
                    .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().substring(11))));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int epochs(JsonObject request) {
        return request.getJsonObject("hyperparameters").getValue("n_epochs") instanceof Number n ? n.intValue() : 3;
    }

    private static JobSpec.Hyperparameters hyperparameters(JsonObject request, BaseModel model) {
        JsonObject h = request.getJsonObject("hyperparameters");
        int batch = h.getValue("batch_size") instanceof Number n ? n.intValue() : 4;
        double multiplier = h.getValue("learning_rate_multiplier") instanceof Number n ? n.doubleValue() : 1.0;
        return new JobSpec.Hyperparameters(epochs(request), 0, batch, 1, multiplier * model.learningRate(), 0, "cosine", 0, 1.0,
                CHECKPOINT_EVERY, CHECKPOINT_EVERY, request.getLong("seed"));
    }

    private static JobSpec.Lora lora(JsonObject request) {
        JsonObject l = request.getJsonObject("lora");
        return new JobSpec.Lora(l.getInteger("r"), l.getDouble("alpha"), l.getDouble("dropout"),
                l.getJsonArray("target_modules").stream().map(String::valueOf).toList(), false);
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }
}
