package dev.loraplane.orchestrator.evals;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import dev.loraplane.engine.tokenizer.Tokenizer;
import dev.loraplane.orchestrator.artifacts.ArtifactStore;
import dev.loraplane.orchestrator.cost.CostEstimator;
import dev.loraplane.orchestrator.cost.PriceTable;
import dev.loraplane.orchestrator.jobs.BaseModel;
import dev.loraplane.orchestrator.jobs.JobRunner;
import dev.loraplane.orchestrator.jobs.Quotas;
import dev.loraplane.orchestrator.jobs.RetryPolicy;
import dev.loraplane.orchestrator.jobs.Scheduler;
import dev.loraplane.orchestrator.jobs.ScriptedExecutor;
import dev.loraplane.orchestrator.metrics.ControlPlaneMetrics;
import dev.loraplane.orchestrator.store.Database;
import dev.loraplane.orchestrator.store.Eval;
import dev.loraplane.orchestrator.store.EvalStatus;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job with a baseline, its runner and the eval runner over one store, against a scripted executor
 * and a scripted serving layer: the baseline is measured on the base model after the files are
 * validated and before any attempt starts, the report follows training, a cancel stops the baseline
 * eval, and a baseline that cannot be measured does not cost the user the training.
 */
class BaselineBeforeTrainingTest {

    static final int EXAMPLES = 6;

    /** Serving as the runner sees it: the base answers "negative", adapters "positive"; it notes who asked when. */
    final class ScriptedServing implements EvalBackend {

        /** A request: the model it named, and how many attempts of the job had started by then. */
        record Asked(String model, int attemptsStarted) {}

        final Tokenizer tokenizer;
        final List<Asked> asked = Collections.synchronizedList(new ArrayList<>());
        /** Answers come when this completes. */
        volatile CompletableFuture<Void> answering = CompletableFuture.completedFuture(null);
        /** When set, serving refuses the base model with this message. */
        volatile String refusal;

        ScriptedServing(Tokenizer tokenizer) {
            this.tokenizer = tokenizer;
        }

        @Override
        public String baseModel() {
            return "loraplane-tiny";
        }

        @Override
        public Tokenizer tokenizer() {
            return tokenizer;
        }

        @Override
        public int maxContext() {
            return 256;
        }

        @Override
        public String deviceType() {
            return "cpu";
        }

        @Override
        public String deviceProduct() {
            return null;
        }

        @Override
        public CompletableFuture<Answer> generate(String tenant, String model, int[] prompt, int maxTokens) {
            asked.add(new Asked(model, executor.attempts.size()));
            if (refusal != null && model.equals(baseModel())) {
                return CompletableFuture.failedFuture(new IllegalStateException(refusal));
            }
            String text = model.equals(baseModel()) ? "negative" : "positive";
            return answering.thenApply(v -> new Answer(tokenizer.encode(text, false), text, "stop", 0.02, 0.01));
        }

        @Override
        public CompletableFuture<Score> score(String tenant, String model, int[] prompt, int[] reference) {
            boolean base = model.equals(baseModel());
            return CompletableFuture.completedFuture(new Score(reference.length, base ? 0 : reference.length,
                    (base ? 3.0 : 0.1) * reference.length));
        }
    }

    @TempDir
    Path dir;

    Store store;
    EvalStore evals;
    ArtifactStore artifacts;
    ScriptedExecutor executor = new ScriptedExecutor();
    ScriptedServing serving;
    JobRunner runner;
    EvalRunner evalRunner;

    @BeforeEach
    void setUp() throws Exception {
        Path tiny = dir.resolve("tiny");
        TinyModel.write(Preset.TINY, tiny, 0);
        Database database = Database.h2(dir.resolve("db"));
        store = Store.open(database);
        evals = new EvalStore(database);
        artifacts = new ArtifactStore(dir.resolve("artifacts"));
        upload("file-train", ("{\"messages\": [{\"role\": \"user\", \"content\": \"I love it\"}, {\"role\": \"assistant\","
                + " \"content\": \"positive\"}]}\n").repeat(20));
        StringBuilder heldOut = new StringBuilder();
        for (int i = 0; i < EXAMPLES; i++) {
            heldOut.append("{\"messages\": [{\"role\": \"user\", \"content\": \"We love place ").append(i)
                    .append("\"}, {\"role\": \"assistant\", \"content\": \"positive\"}]}\n");
        }
        upload("file-held-out", heldOut.toString());
        PriceTable prices = new PriceTable(Map.of("cpu", 36.0));
        runner = new JobRunner(store, evals, artifacts, Map.of("loraplane-tiny", new BaseModel("loraplane-tiny", tiny, 3e-3, 64,
                Map.of("cpu", 100.0))), List.of(executor), new JobRunner.Policies(new Scheduler(Quotas.NONE),
                new RetryPolicy(2, 0, 1, 0), new CostEstimator(prices, store::measuredThroughput)), dir, new ControlPlaneMetrics(),
                () -> { });
        serving = new ScriptedServing(Tokenizer.load(tiny));
        evalRunner = new EvalRunner(store, evals, artifacts, serving, prices);
    }

    @AfterEach
    void tearDown() {
        serving.answering.complete(null);
        evalRunner.close();
        serving.tokenizer.close();
    }

    private void upload(String id, String content) throws Exception {
        ArtifactStore.Blob blob = artifacts.putMoving(Files.writeString(dir.resolve(id + ".jsonl"), content));
        store.insertFile(new StoredFile(id, "acme", id + ".jsonl", "fine-tune", blob.bytes(), blob.sha256(), 1));
    }

    /** What {@code POST /v1/fine_tuning/jobs} records for a job with a system-prompt baseline: the job, then its eval. */
    private void create(String jobId, String evalId) {
        JsonObject request = new JsonObject().put("model", "loraplane-tiny").put("training_file", "file-train")
                .put("validation_file", "file-held-out").put("seed", 7)
                .put("hyperparameters", new JsonObject().put("n_epochs", 1).put("batch_size", "auto")
                        .put("learning_rate_multiplier", "auto"))
                .put("lora", new JsonObject().put("r", 8).put("alpha", 16.0).put("dropout", 0.0)
                        .put("target_modules", new JsonArray(List.of("q_proj", "v_proj"))))
                .put("quantization", "none").put("accelerator", new JsonObject().put("type", "cpu").put("count", 1))
                .put("baseline", new JsonObject().put("system", "Label the review: positive or negative.").put("eval_id", evalId));
        store.createJob(Job.created(jobId, "acme", "loraplane-tiny", 0, "file-train", "file-held-out", request.encode(), null, 1),
                "Created fine-tuning job: " + jobId);
        EvalSpec spec = new EvalSpec(null, "file-held-out", List.of(new Variant("baseline", "loraplane-tiny",
                "Label the review: positive or negative.", null, 0, null), new Variant("fine-tuned", null, null, null, 0, null)),
                Metric.NORMALIZED_MATCH, Checks.NONE, 4, 7, 1.0, Map.of());
        evals.create(Eval.created(evalId, "acme", jobId, spec.toJson().encode(), 1), "Created the baseline eval of job " + jobId);
    }

    private Job job(String id) {
        return store.jobById(id).orElseThrow();
    }

    private Eval eval(String id) {
        return evals.evalById(id).orElseThrow();
    }

    private List<JobEvent> events(String jobId) {
        return store.events(jobId, 0, 100);
    }

    /** The sequence number of the job's first event whose message starts with {@code prefix}. */
    private long seqOf(String jobId, String prefix) {
        return events(jobId).stream().filter(e -> e.message().startsWith(prefix)).mapToLong(JobEvent::seq).findFirst()
                .orElseThrow(() -> new AssertionError("no event '" + prefix + "…' in " + events(jobId).stream()
                        .map(JobEvent::message).toList()));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void theBaselineIsMeasuredBeforeTheFirstAttemptAndTheReportFollowsTraining() throws Exception {
        create("ftjob-ordered01", "eval-order");
        evalRunner.sweep();
        assertThat(serving.asked).as("nothing is measured before the job's files are validated").isEmpty();

        runner.sweep();
        runner.sweep();
        assertThat(job("ftjob-ordered01").status()).as(job("ftjob-ordered01").errorMessage()).isEqualTo(JobStatus.QUEUED);
        assertThat(executor.attempts).as("a free device, yet no attempt: the baseline is not measured yet").isEmpty();

        evalRunner.sweep();
        assertThat(evals.results("eval-order")).as("the baseline's results, stored before training")
                .hasSize(EXAMPLES).allSatisfy(r -> assertThat(r.variant()).isZero());
        runner.sweep();
        assertThat(executor.attempts).hasSize(1);
        assertThat(serving.asked).hasSize(EXAMPLES).allSatisfy(a -> {
            assertThat(a.model()).isEqualTo("loraplane-tiny");
            assertThat(a.attemptsStarted()).as("the base model was asked before any attempt started").isZero();
        });
        assertThat(seqOf("ftjob-ordered01", "Validated training file")).isLessThan(seqOf("ftjob-ordered01", "Evaluating the baseline prompt on "
                + EXAMPLES + " validation examples"));
        assertThat(seqOf("ftjob-ordered01", "Evaluating the baseline prompt")).isLessThan(seqOf("ftjob-ordered01",
                "Baseline prompt: normalized match 0.0% on " + EXAMPLES + " validation examples"));
        assertThat(seqOf("ftjob-ordered01", "Baseline prompt:")).isLessThan(seqOf("ftjob-ordered01", "Fine-tuning job started"));
        JsonObject score = new JsonObject(events("ftjob-ordered01").stream().filter(e -> e.message().startsWith("Baseline prompt"))
                .findFirst().orElseThrow().data());
        assertThat(score.getString("eval_id")).isEqualTo("eval-order");
        assertThat(score.getDouble("value")).isZero();

        evalRunner.sweep();
        assertThat(eval("eval-order").status()).as("the eval waits for the adapter while the job trains").isEqualTo(EvalStatus.RUNNING);
        Path adapter = Files.createDirectories(dir.resolve("adapters/ftjob-ordered01"));
        Files.writeString(adapter.resolve("adapter_config.json"), "{}");
        executor.line("{\"type\": \"completed\", \"adapter\": \"" + adapter + "\", \"sha256\": \"abc\", \"trained_tokens\": 80}");
        executor.exit(0);
        Job trained = job("ftjob-ordered01");
        assertThat(trained.status()).isEqualTo(JobStatus.SUCCEEDED);

        evalRunner.sweep();
        Eval done = eval("eval-order");
        assertThat(done.status()).isEqualTo(EvalStatus.SUCCEEDED);
        assertThat(serving.asked.subList(EXAMPLES, serving.asked.size())).as("then the adapter, on the same examples")
                .hasSize(EXAMPLES).allSatisfy(a -> assertThat(a.model()).isEqualTo(trained.fineTunedModel()));
        JsonObject report = new JsonObject(done.report());
        JsonObject prompt = report.getJsonArray("variants").getJsonObject(0);
        JsonObject tuned = report.getJsonArray("variants").getJsonObject(1);
        assertThat(tuned.getString("model")).isEqualTo(trained.fineTunedModel());
        assertThat(tuned.getJsonObject("quality").getJsonObject("normalized_match").getDouble("value")).isEqualTo(1.0);
        assertThat(prompt.getJsonObject("quality").getJsonObject("normalized_match").getDouble("value")).isZero();
        assertThat(tuned.getDouble("prompt_tokens")).isLessThan(prompt.getDouble("prompt_tokens"));
        JobEvent attached = events("ftjob-ordered01").get(events("ftjob-ordered01").size() - 1);
        assertThat(attached.seq()).isGreaterThan(seqOf("ftjob-ordered01", "The job has successfully completed"));
        assertThat(attached.type()).isEqualTo("eval");
        assertThat(attached.message()).contains(report.getJsonObject("verdict").getString("text"));
        assertThat(new JsonObject(attached.data()).getString("eval_id")).isEqualTo("eval-order");
        assertThat(new JsonObject(attached.data()).getString("decision"))
                .isEqualTo(report.getJsonObject("verdict").getString("decision"));
    }

    @Test
    void cancellingTheJobWhileItsBaselineIsMeasuredStopsTheEvalAndNoAttemptStarts() throws Exception {
        create("ftjob-cancelled", "eval-cancel");
        runner.sweep();
        serving.answering = new CompletableFuture<>();   // the answers do not come
        evalRunner.wake();
        await("the baseline's requests", () -> serving.asked.size() == EXAMPLES);

        Job queued = job("ftjob-cancelled");
        long now = System.currentTimeMillis() / 1000;
        store.transition(queued.moved(JobStatus.CANCELLED, queued.attempts(), now), Set.of(JobStatus.QUEUED),
                new JobEvent(queued.id(), 0, now, "info", "message", "Job cancelled", null));   // as POST …/cancel does
        runner.cancelled(queued.id());
        await("the eval to stop", () -> eval("eval-cancel").status().isFinal());

        Eval stopped = eval("eval-cancel");
        assertThat(stopped.status()).isEqualTo(EvalStatus.FAILED);
        assertThat(stopped.errorCode()).isEqualTo("job_cancelled");
        assertThat(stopped.errorMessage()).contains("job ftjob-cancelled cancelled");
        assertThat(events("ftjob-cancelled")).extracting(JobEvent::message)
                .anyMatch(m -> m.startsWith("The baseline eval eval-cancel stopped: job ftjob-cancelled cancelled"));
        serving.answering.complete(null);
        runner.sweep();
        assertThat(job("ftjob-cancelled").status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(executor.attempts).isEmpty();
        assertThat(evals.results("eval-cancel")).as("nothing stored from a stopped eval").isEmpty();
        assertThat(serving.asked).as("no request after the cancel").hasSize(EXAMPLES);
    }

    @Test
    void aBaselineThatCannotBeMeasuredFailsItsEvalButTheJobTrains() {
        create("ftjob-refused01", "eval-refused");
        runner.sweep();
        serving.refusal = "the base model is not loaded";
        evalRunner.sweep();

        Eval failed = eval("eval-refused");
        assertThat(failed.status()).isEqualTo(EvalStatus.FAILED);
        assertThat(failed.errorMessage()).contains("the base model is not loaded");
        JobEvent said = events("ftjob-refused01").stream().filter(e -> e.message().startsWith("The baseline eval eval-refused failed"))
                .findFirst().orElseThrow();
        assertThat(said.level()).isEqualTo("warn");
        assertThat(said.message()).contains("the base model is not loaded", "Training goes on without it");
        runner.sweep();
        assertThat(executor.attempts).as("the job trains all the same").hasSize(1);
        assertThat(job("ftjob-refused01").status()).isEqualTo(JobStatus.RUNNING);
    }
}
