package dev.loraplane.orchestrator.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import dev.loraplane.orchestrator.artifacts.ArtifactStore;
import dev.loraplane.orchestrator.cost.CostEstimator;
import dev.loraplane.orchestrator.cost.PriceTable;
import dev.loraplane.orchestrator.executor.AttemptExit;
import dev.loraplane.orchestrator.metrics.ControlPlaneMetrics;
import dev.loraplane.orchestrator.store.AttemptRecord;
import dev.loraplane.orchestrator.store.Database;
import dev.loraplane.orchestrator.store.EvalStore;
import dev.loraplane.orchestrator.store.Job;
import dev.loraplane.orchestrator.store.JobEvent;
import dev.loraplane.orchestrator.store.JobStatus;
import dev.loraplane.orchestrator.store.Store;
import dev.loraplane.orchestrator.store.StoredFile;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner against a scripted executor: what a user sees in the job when its worker crashes, runs
 * out of memory, rejects its data, or finishes, and what each attempt costs.
 */
class JobRunnerTest {

    /** A cent per device-second, to see it. */
    static final PriceTable CENT_A_SECOND = new PriceTable(Map.of("cpu", 36.0));
    static final String PROGRESS = "{\"type\": \"progress\", \"step\": 3, \"total_steps\": 12, \"loss\": 1.5,"
            + " \"learning_rate\": 0.003, \"tokens_per_second\": 400.0, \"eta_seconds\": 120.0}";

    @TempDir
    Path dir;

    Store store;
    EvalStore evals;
    ScriptedExecutor executor = new ScriptedExecutor();
    ControlPlaneMetrics metrics = new ControlPlaneMetrics();
    JobRunner runner;

    @BeforeEach
    void setUp() throws Exception {
        Path tiny = dir.resolve("tiny");
        TinyModel.write(Preset.TINY, tiny, 0);
        Database database = Database.h2(dir.resolve("db"));
        store = Store.open(database);
        evals = new EvalStore(database);
        ArtifactStore artifacts = new ArtifactStore(dir.resolve("artifacts"));
        Path train = Files.writeString(dir.resolve("train.jsonl"),
                "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": \"hello\"}]}\n"
                        .repeat(20));
        ArtifactStore.Blob blob = artifacts.putMoving(train);
        store.insertFile(new StoredFile("file-1", "acme", "train.jsonl", "fine-tune", blob.bytes(), blob.sha256(), 1));
        runner = new JobRunner(store, evals, artifacts, Map.of("loraplane-tiny", new BaseModel("loraplane-tiny", tiny, 3e-3, 64,
                Map.of("cpu", 100.0))), List.of(executor), new JobRunner.Policies(new Scheduler(Quotas.NONE),
                new RetryPolicy(2, 0, 1, 0), new CostEstimator(CENT_A_SECOND, store::measuredThroughput)), dir, metrics, () -> { });
    }

    private Job create(String id) {
        JsonObject request = new JsonObject().put("model", "loraplane-tiny").put("training_file", "file-1").put("seed", 7)
                .put("hyperparameters", new JsonObject().put("n_epochs", 2).put("batch_size", "auto")
                        .put("learning_rate_multiplier", "auto"))
                .put("lora", new JsonObject().put("r", 8).put("alpha", 16.0).put("dropout", 0.0)
                        .put("target_modules", new JsonArray(List.of("q_proj", "v_proj"))))
                .put("quantization", "nf4").put("accelerator", new JsonObject().put("type", "cpu").put("count", 1));
        return store.createJob(Job.created(id, "acme", "loraplane-tiny", 0, "file-1", null, request.encode(), null, 1), "created");
    }

    private Job job(String id) {
        return store.jobById(id).orElseThrow();
    }

    private List<String> messages(String id) {
        return store.events(id, 0, 100).stream().map(JobEvent::message).toList();
    }

    @Test
    void validationEstimatesTheCostFromTokensAndThroughput() {
        create("ftjob-a");
        executor.slots = 0;   // nothing can run: the job stays queued, saying why, once
        runner.sweep();
        runner.sweep();

        Job queued = job("ftjob-a");
        assertThat(queued.status()).isEqualTo(JobStatus.QUEUED);
        JsonObject estimate = new JsonObject(store.events("ftjob-a", 0, 10).get(1).data());
        long tokens = estimate.getLong("tokens");
        assertThat(tokens % 40).as("20 identical examples × 2 epochs").isZero();
        assertThat(tokens).isGreaterThan(40);
        assertThat(estimate.getDouble("estimated_seconds")).isEqualTo(tokens / 100.0);
        assertThat(queued.estimatedCostUsd()).isEqualTo(tokens / 100.0 * 0.01, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(messages("ftjob-a").stream().filter(m -> m.startsWith("No executor has 1 × cpu"))).hasSize(1);
    }

    @Test
    void aCrashedWorkerIsRetriedFromItsCheckpointUntilNoAttemptIsLeft() throws Exception {
        create("ftjob-b");
        runner.sweep();
        assertThat(job("ftjob-b").status()).isEqualTo(JobStatus.RUNNING);
        Path checkpoint = Files.createDirectories(dir.resolve("jobs/ftjob-b/checkpoints/checkpoint-10"));
        Thread.sleep(50);
        executor.exit(137);   // killed: out of memory on the host, or a crash

        Job retried = job("ftjob-b");
        assertThat(retried.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(messages("ftjob-b")).last().asString().startsWith("The worker exited with code 137 before finishing; its log is")
                .contains("Retrying in 0 s from the last checkpoint (failure 1 of 2 allowed)");
        assertThat(store.attempts("ftjob-b")).singleElement().satisfies(a -> {
            assertThat(a.outcome()).isEqualTo("worker_crashed");
            assertThat(a.deviceSeconds()).isGreaterThan(0.04);
            assertThat(a.costUsd()).isEqualTo(a.deviceSeconds() * 0.01, org.assertj.core.api.Assertions.within(1e-12));
        });

        runner.sweep();
        assertThat(executor.attempts).hasSize(2);
        assertThat(executor.attempts.get(1).spec().resumeFrom()).isEqualTo(checkpoint);
        assertThat(executor.attempts.get(1).number()).isEqualTo(2);
        executor.exit(1);   // died again without saying why

        Job failed = job("ftjob-b");
        assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
        assertThat(failed.errorCode()).isEqualTo("worker_crashed");
        assertThat(failed.errorMessage()).contains("No attempt is left: 2 of 2 failed");
        assertThat(failed.costUsd()).isEqualTo(store.attempts("ftjob-b").stream().mapToDouble(AttemptRecord::costUsd).sum(),
                org.assertj.core.api.Assertions.within(1e-12));
        runner.sweep();
        assertThat(executor.attempts).as("a failed job is not started again").hasSize(2);
        assertThat(metrics.scrape()).contains(
                "loraplane_attempts_started_total{accelerator=\"cpu\",tenant=\"acme\"} 2.0",
                "loraplane_attempt_retries_total{accelerator=\"cpu\",reason=\"worker_crashed\"} 1.0",
                "loraplane_jobs_finished_total{accelerator=\"cpu\",status=\"failed\",tenant=\"acme\"} 1.0");
        String cost = metrics.scrape().lines().filter(l -> l.startsWith("loraplane_cost_usd_total{accelerator=\"cpu\""))
                .findFirst().orElseThrow();
        assertThat(Double.parseDouble(cost.substring(cost.lastIndexOf(' ') + 1)))
                .isEqualTo(failed.costUsd(), org.assertj.core.api.Assertions.within(1e-12));
    }

    @Test
    void outOfMemoryIsRetriedButTheJobsOwnErrorsAreNot() {
        create("ftjob-c");
        runner.sweep();
        executor.line("{\"type\": \"error\", \"code\": \"out_of_memory\", \"message\": \"CUDA out of memory\"}");
        executor.exit(1);
        assertThat(job("ftjob-c").status()).isEqualTo(JobStatus.QUEUED);

        runner.sweep();
        executor.line("{\"type\": \"error\", \"code\": \"invalid_training_file\", \"message\": \"line 3: no assistant message\"}");
        executor.exit(1);
        Job failed = job("ftjob-c");
        assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
        assertThat(failed.errorCode()).isEqualTo("invalid_training_file");
        assertThat(store.attempts("ftjob-c")).extracting(AttemptRecord::outcome).containsExactly("out_of_memory", "failed");
    }

    @Test
    void progressLinesBecomeMetricsEventsAndTheJobsEstimatedFinish() {
        create("ftjob-f");
        runner.sweep();
        long before = System.currentTimeMillis() / 1000;
        executor.line("{\"type\": \"progress\", \"step\": 3, \"total_steps\": 10, \"loss\": 1.5, \"learning_rate\": 0.003,"
                + " \"tokens_per_second\": 400.0, \"eta_seconds\": 120.0}");

        assertThat(job("ftjob-f").estimatedFinish()).isBetween(before + 120, System.currentTimeMillis() / 1000 + 120);
        JobEvent metrics = store.eventsNewestFirst("ftjob-f", 0, 1).get(0);
        assertThat(metrics.type()).isEqualTo("metrics");
        assertThat(new JsonObject(metrics.data()).getDouble("train_loss")).isEqualTo(1.5);
        executor.exit(AttemptExit.STOPPED);
        assertThat(job("ftjob-f").estimatedFinish()).as("a job that is not running has no ETA").isNull();
    }

    @Test
    void aRunningJobsFiguresDevicesAndCostAreSeriesUntilItsAttemptEnds() throws InterruptedException {
        create("ftjob-g");
        runner.sweep();
        Thread.sleep(200);
        executor.line("{\"type\": \"progress\", \"step\": 3, \"total_steps\": 12, \"loss\": 1.5, \"learning_rate\": 0.003,"
                + " \"tokens_per_second\": 400.0, \"eta_seconds\": 120.0}");
        executor.line("{\"type\": \"eval\", \"step\": 3, \"eval_loss\": 1.75}");
        executor.line("{\"type\": \"telemetry\", \"host\": \"worker-host\", \"devices\": [{\"vendor\": \"cpu\", \"index\": 0,"
                + " \"product\": \"Test CPU\", \"utilization\": 0.25, \"memory_used_bytes\": 1000, \"memory_total_bytes\": 4000,"
                + " \"power_watts\": null, \"temperature_celsius\": null}]}");

        String job = "{job_id=\"ftjob-g\",tenant=\"acme\"}";
        assertThat(metrics.scrape()).contains("loraplane_job_loss" + job + " 1.5", "loraplane_job_eval_loss" + job + " 1.75",
                "loraplane_job_learning_rate" + job + " 0.003", "loraplane_job_tokens_per_second" + job + " 400.0",
                "loraplane_job_progress_ratio" + job + " 0.25", "loraplane_job_eta_seconds" + job + " 120.0",
                "loraplane_gpu_utilization_ratio{device=\"0\",host=\"worker-host\",job_id=\"ftjob-g\",product=\"Test CPU\","
                        + "tenant=\"acme\",vendor=\"cpu\"} 0.25",
                "loraplane_gpu_memory_total_bytes{device=\"0\",host=\"worker-host\",job_id=\"ftjob-g\",product=\"Test CPU\","
                        + "tenant=\"acme\",vendor=\"cpu\"} 4000.0");
        double allocated = value("loraplane_job_allocated_cost_usd" + job);
        double effective = value("loraplane_job_effective_cost_usd" + job);
        assertThat(allocated).as("at least 0.2 s at a cent a second").isGreaterThanOrEqualTo(0.002);
        assertThat(effective).as("a quarter busy").isCloseTo(allocated * 0.25, within(0.0005));
        assertThat(value("loraplane_job_wasted_cost_usd" + job)).isCloseTo(allocated - effective, within(1e-9));
        assertThat(value("loraplane_cost_usd_total{accelerator=\"cpu\",kind=\"training\",tenant=\"acme\"}"))
                .as("billed while it runs").isCloseTo(allocated, within(1e-9));
        assertThat(value("loraplane_effective_cost_usd_total{accelerator=\"cpu\",kind=\"training\",tenant=\"acme\"}"))
                .isCloseTo(effective, within(1e-9));

        executor.exit(AttemptExit.STOPPED);
        assertThat(metrics.scrape().lines()).noneMatch(l -> l.contains("ftjob-g"));
        assertThat(value("loraplane_cost_usd_total{accelerator=\"cpu\",kind=\"training\",tenant=\"acme\"}"))
                .as("the whole attempt, once").isCloseTo(store.attempts("ftjob-g").get(0).costUsd(), within(1e-12));
    }

    private double value(String series) {
        return value(metrics, series);
    }

    private static double value(ControlPlaneMetrics metrics, String series) {
        String line = metrics.scrape().lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + series));
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    @Test
    void aStoppedWorkerGoesBackToTheQueueWithoutUsingARetry() {
        create("ftjob-d");
        runner.sweep();
        executor.exit(AttemptExit.STOPPED);
        assertThat(job("ftjob-d").status()).isEqualTo(JobStatus.QUEUED);
        assertThat(job("ftjob-d").notBefore()).isNull();
        assertThat(store.attempts("ftjob-d")).extracting(AttemptRecord::outcome).containsExactly("stopped");
    }

    @Test
    void aRunningJobWithoutAWorkerAfterARestartIsRequeuedAndItsAttemptClosed() {
        create("ftjob-e");
        runner.sweep();
        executor.listeners.set(0, null);   // the process that ran it is gone, and never said so
        ScriptedExecutor none = new ScriptedExecutor();
        none.slots = 0;
        JobRunner restarted = new JobRunner(store, evals, new ArtifactStore(dir.resolve("artifacts")), Map.of(), List.of(none),
                new JobRunner.Policies(new Scheduler(Quotas.NONE), RetryPolicy.DEFAULT, new CostEstimator(PriceTable.DEFAULTS,
                        store::measuredThroughput)), dir, metrics, () -> { });
        restarted.sweep();

        assertThat(job("ftjob-e").status()).isEqualTo(JobStatus.QUEUED);
        assertThat(store.openAttempts()).isEmpty();
        assertThat(store.attempts("ftjob-e")).extracting(AttemptRecord::outcome).containsExactly("control_plane_restart");
        assertThat(messages("ftjob-e")).anyMatch(m -> m.startsWith("The worker is gone (the control plane restarted)"));
    }

    @Test
    void aWorkerStillRunningAfterARestartIsAdoptedAndItsJobFinishesWithoutASecondAttempt() throws Exception {
        create("ftjob-gadopted1");
        runner.sweep();
        executor.line("{\"type\": \"started\", \"total_steps\": 5}");
        long heard = store.eventsNewestFirst("ftjob-gadopted1", 0, 1).get(0).createdAt();
        ScriptedExecutor kept = new ScriptedExecutor();   // the cluster still runs the worker
        kept.slots = 0;
        kept.adoptable.put("ftjob-gadopted1", Instant.EPOCH);
        JobRunner restarted = new JobRunner(store, evals, new ArtifactStore(dir.resolve("artifacts")), Map.of(), List.of(kept),
                new JobRunner.Policies(new Scheduler(Quotas.NONE), RetryPolicy.DEFAULT, new CostEstimator(PriceTable.DEFAULTS,
                        store::measuredThroughput)), dir, metrics, () -> { });
        restarted.sweep();
        restarted.sweep();

        assertThat(job("ftjob-gadopted1").status()).isEqualTo(JobStatus.RUNNING);
        assertThat(kept.listeners).as("adopted once, not again at the next sweep").hasSize(1);
        assertThat(kept.adoptable.get("ftjob-gadopted1")).as("lines are replayed from just before the last event")
                .isEqualTo(Instant.ofEpochSecond(heard - 1));
        Path adapter = Files.createDirectories(dir.resolve("adapters/ftjob-gadopted1"));
        Files.writeString(adapter.resolve("adapter_config.json"), "{}");
        kept.line("{\"type\": \"completed\", \"adapter\": \"" + adapter + "\", \"sha256\": \"abc\", \"trained_tokens\": 80}");
        kept.exit(0);

        Job done = job("ftjob-gadopted1");
        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.trainedTokens()).isEqualTo(80L);
        assertThat(store.attempts("ftjob-gadopted1")).singleElement().satisfies(a -> {
            assertThat(a.number()).isEqualTo(1);
            assertThat(a.outcome()).isEqualTo("succeeded");
        });
        assertThat(messages("ftjob-gadopted1")).noneMatch(m -> m.startsWith("The worker is gone"));
    }

    @Test
    void anAttemptReattachedAfterARestartIsBilledOnceAcrossTheRestart() throws Exception {
        create("ftjob-gbilled01");
        runner.sweep();
        Thread.sleep(300);
        executor.line(PROGRESS);   // the first control plane bills the time so far, then goes
        String cost = "loraplane_cost_usd_total{accelerator=\"cpu\",kind=\"training\",tenant=\"acme\"}";
        String seconds = "loraplane_device_seconds_total{accelerator=\"cpu\",tenant=\"acme\"}";
        double costBefore = value(metrics, cost);
        double secondsBefore = value(metrics, seconds);
        assertThat(costBefore).as("at least 0.3 s at a cent a second").isGreaterThanOrEqualTo(0.003);

        ControlPlaneMetrics afterRestart = new ControlPlaneMetrics();   // a new process: its counters start at zero
        ScriptedExecutor kept = new ScriptedExecutor();
        kept.slots = 0;
        kept.adoptable.put("ftjob-gbilled01", Instant.EPOCH);
        JobRunner restarted = new JobRunner(store, evals, new ArtifactStore(dir.resolve("artifacts")), Map.of(), List.of(kept),
                new JobRunner.Policies(new Scheduler(Quotas.NONE), RetryPolicy.DEFAULT, new CostEstimator(CENT_A_SECOND,
                        store::measuredThroughput)), dir, afterRestart, () -> { });
        restarted.sweep();
        Thread.sleep(300);
        kept.line(PROGRESS);
        kept.exit(AttemptExit.STOPPED);

        AttemptRecord attempt = store.attempts("ftjob-gbilled01").get(0);
        assertThat(attempt.outcome()).isEqualTo("stopped");
        assertThat(costBefore + value(afterRestart, cost)).as("the attempt's device time × price, once across the restart")
                .isCloseTo(attempt.costUsd(), within(1e-9));
        assertThat(secondsBefore + value(afterRestart, seconds)).isCloseTo(attempt.deviceSeconds(), within(1e-9));
    }

    @Test
    void anAttemptClosedAfterARestartBillsOnlyWhatWasNotBilledBefore() throws Exception {
        create("ftjob-gbilled02");
        runner.sweep();
        Thread.sleep(300);
        executor.line(PROGRESS);
        executor.listeners.set(0, null);   // the process that ran it is gone, and never said so
        String cost = "loraplane_cost_usd_total{accelerator=\"cpu\",kind=\"training\",tenant=\"acme\"}";
        double costBefore = value(metrics, cost);
        ControlPlaneMetrics afterRestart = new ControlPlaneMetrics();
        ScriptedExecutor none = new ScriptedExecutor();
        none.slots = 0;
        new JobRunner(store, evals, new ArtifactStore(dir.resolve("artifacts")), Map.of(), List.of(none),
                new JobRunner.Policies(new Scheduler(Quotas.NONE), RetryPolicy.DEFAULT, new CostEstimator(CENT_A_SECOND,
                        store::measuredThroughput)), dir, afterRestart, () -> { }).sweep();

        AttemptRecord attempt = store.attempts("ftjob-gbilled02").get(0);
        assertThat(attempt.outcome()).isEqualTo("control_plane_restart");
        assertThat(attempt.costUsd()).as("at least to the last bill").isGreaterThanOrEqualTo(costBefore - 1e-12);
        double costAfter = afterRestart.scrape().lines().anyMatch(l -> l.startsWith(cost + " ")) ? value(afterRestart, cost) : 0;
        assertThat(costBefore + costAfter).as("billed once across the restart").isCloseTo(attempt.costUsd(), within(1e-9));
    }
}
