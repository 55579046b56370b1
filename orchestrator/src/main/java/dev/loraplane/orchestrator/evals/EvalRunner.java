package dev.loraplane.orchestrator.evals;

import dev.loraplane.orchestrator.artifacts.ArtifactStore;
import dev.loraplane.orchestrator.cost.PriceTable;
import dev.loraplane.orchestrator.store.Eval;
import dev.loraplane.orchestrator.store.EvalStatus;
import dev.loraplane.orchestrator.store.EvalStore;
import dev.loraplane.orchestrator.store.Job;
import dev.loraplane.orchestrator.store.JobStatus;
import dev.loraplane.orchestrator.store.Store;
import dev.loraplane.orchestrator.store.StoredFile;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs evals from what the store says, one at a time on a thread of its own: claims an eval, sends
 * every example through every variant whose results are missing (all of them in one stream of
 * requests, so the batch engine mixes base and adapter rows), scores each reference teacher-forced,
 * stores the results per variant, and writes the report once every variant has them. A job's eval
 * waits for the job's files to be validated, measures the baseline while the job is held in the
 * queue (the {@code JobRunner} starts no attempt before), lets go while the job trains, and runs
 * the adapter when the job has succeeded; a job cancelled meanwhile stops it. A runner that dies
 * loses its lease; the next sweep takes the eval up again, keeping the variants already stored.
 */
public final class EvalRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EvalRunner.class);
    /** How long a claim holds without renewal. */
    static final long LEASE_SECONDS = 60;
    /** Requests in flight at once: enough to fill the batch, few enough to leave the queue to others. */
    static final int WINDOW = 32;
    /** How often a job's eval looks whether its job was cancelled while it runs. */
    static final long JOB_CHECK_MILLIS = 1000;

    private final Store store;
    private final EvalStore evals;
    private final ArtifactStore artifacts;
    private final EvalBackend backend;
    private final PriceTable prices;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(task -> {
        Thread t = new Thread(task, "loraplane-evals");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean sweepPending = new AtomicBoolean();
    private volatile boolean closed;

    public EvalRunner(Store store, EvalStore evals, ArtifactStore artifacts, EvalBackend backend, PriceTable prices) {
        this.store = store;
        this.evals = evals;
        this.artifacts = artifacts;
        this.backend = backend;
        this.prices = prices;
    }

    /** Asks for a sweep soon, on the runner's thread; one pending sweep covers any number of asks. */
    public void wake() {
        if (sweepPending.compareAndSet(false, true)) {
            thread.execute(() -> {
                sweepPending.set(false);
                try {
                    sweep();
                } catch (RuntimeException e) {
                    LOG.error("eval sweep failed", e);
                }
            });
        }
    }

    /** Takes up every eval no runner holds. Blocking. */
    void sweep() {
        for (Eval eval : evals.claimable(now())) {
            if (evals.claim(eval.id(), now(), now() + LEASE_SECONDS)) {
                try {
                    run(eval);
                } catch (InvalidEvalException e) {
                    fail(eval, e.code(), e.getMessage(), e.param());
                } catch (RuntimeException e) {
                    if (closed || Thread.currentThread().isInterrupted()) {
                        LOG.info("eval {} stops with this process; its lease lapses and a runner takes it up again", eval.id());
                        return;
                    }
                    LOG.error("eval {} failed", eval.id(), e);
                    fail(eval, "eval_error", "the eval stopped: " + e.getMessage(), null);
                }
            }
        }
    }

    private void run(Eval eval) {
        EvalSpec spec = EvalSpec.fromJson(new JsonObject(eval.request()));
        Job job = eval.jobId() == null ? null : jobGoingOn(eval);
        if (job != null && job.status() == JobStatus.VALIDATING_FILES) {
            if (eval.status() == EvalStatus.QUEUED) {
                evals.appendEvent(eval.id(), now(), "info", "message", "Waiting for job " + job.id()
                        + " to validate its files before the baseline is measured", null);
            }
            evals.release(eval.id());
            return;
        }
        if (job != null && job.status() == JobStatus.SUCCEEDED) {
            spec = withAdapter(eval, spec, job);
        }
        List<EvalExample> examples = examples(eval.tenant(), spec.dataset(), "dataset");
        Map<Integer, List<ExampleResult>> done = stored(eval.id(), examples.size());
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < spec.variants().size(); i++) {
            if (spec.variants().get(i).model() != null && !done.containsKey(i)) {
                missing.add(i);
            }
        }
        if (!missing.isEmpty()) {
            boolean beforeTraining = job != null && job.status() != JobStatus.SUCCEEDED;
            if (beforeTraining) {
                store.appendEvent(job.id(), now(), "info", "eval", "Evaluating the baseline prompt on " + examples.size()
                        + " validation examples (eval " + eval.id() + "); training starts once it is measured",
                        new JsonObject().put("eval_id", eval.id()).encode());
            }
            generate(eval, spec, examples, missing);
            done = stored(eval.id(), examples.size());
            if (beforeTraining) {
                baselineMeasured(eval, spec, job, done);
            }
        }
        if (done.size() < spec.variants().size()) {
            if (!missing.isEmpty() || eval.status() == EvalStatus.QUEUED) {
                evals.appendEvent(eval.id(), now(), "info", "message", "Waiting for job " + eval.jobId() + " to train the adapter",
                        null);
            }
            evals.release(eval.id());
            return;
        }
        report(eval, spec, done);
    }

    /** The job of a job's eval, unless it ended without an adapter (failed, or cancelled before or while its baseline ran). */
    private Job jobGoingOn(Eval eval) {
        Job job = store.jobById(eval.jobId()).orElseThrow(() -> new IllegalStateException("job " + eval.jobId() + " is gone"));
        if (job.status().isFinal() && job.status() != JobStatus.SUCCEEDED) {
            throw new InvalidEvalException("job", "job_" + job.status().wireName(), "job " + job.id() + " "
                    + job.status().wireName() + ", so there is no adapter to measure against the baseline");
        }
        return job;
    }

    /** The spec with the job's adapter as the variant that waited for it. */
    private EvalSpec withAdapter(Eval eval, EvalSpec spec, Job job) {
        for (int i = 0; i < spec.variants().size(); i++) {
            Variant v = spec.variants().get(i);
            if (v.model() == null) {
                spec = spec.withVariant(i, v.withModel(job.fineTunedModel()));
                evals.updateRequest(eval.id(), spec.toJson().encode());
                evals.appendEvent(eval.id(), now(), "info", "message", "Job " + job.id() + " succeeded: variant " + v.name()
                        + " is its adapter " + job.fineTunedModel(), null);
            }
        }
        return spec;
    }

    /** Tells the job, which has not trained yet, what its baseline scored on the validation examples. */
    private void baselineMeasured(Eval eval, EvalSpec spec, Job job, Map<Integer, List<ExampleResult>> done) {
        done.forEach((i, results) -> {
            double value = spec.metric().of(results, Metric.all(results.size()));
            double promptTokens = results.stream().mapToInt(ExampleResult::promptTokens).average().orElse(0);
            store.appendEvent(job.id(), now(), "info", "eval", String.format(Locale.ROOT, "Baseline prompt: %s %.1f%% on %d validation"
                    + " examples, %.0f prompt tokens per query; the adapter is measured on the same examples once trained",
                    spec.metric().words(), 100 * value, results.size(), promptTokens),
                    new JsonObject().put("eval_id", eval.id()).put("variant", spec.variants().get(i).name())
                            .put("metric", spec.metric().wireName()).put("value", value).put("examples", results.size())
                            .put("prompt_tokens", promptTokens).encode());
        });
    }

    /** Ends the eval as failed; a job's eval tells its job, which trains on without it unless it has ended. */
    private void fail(Eval eval, String code, String message, String param) {
        evals.fail(eval.id(), code, message, param, now());
        if (eval.jobId() == null) {
            return;
        }
        String data = new JsonObject().put("eval_id", eval.id()).put("error_code", code).encode();
        if (code.startsWith("job_")) {
            store.appendEvent(eval.jobId(), now(), "info", "eval", "The baseline eval " + eval.id() + " stopped: " + message, data);
            return;
        }
        boolean training = store.jobById(eval.jobId()).map(j -> !j.status().isFinal()).orElse(false);
        store.appendEvent(eval.jobId(), now(), "warn", "eval", "The baseline eval " + eval.id() + " failed: " + message
                + (training ? ". Training goes on without it; the job will have no fine-tune-or-prompt report" : ""), data);
    }

    /** Runs {@code variants} over every example and stores their results. */
    private void generate(Eval eval, EvalSpec spec, List<EvalExample> examples, List<Integer> variants) {
        List<String> names = variants.stream().map(i -> spec.variants().get(i).name()).toList();
        evals.appendEvent(eval.id(), now(), "info", "message", "Running " + String.join(", ", names) + " on " + examples.size()
                + " examples", null);
        List<Query> queries = new ArrayList<>();
        for (int i : variants) {
            Variant variant = spec.variants().get(i);
            PromptRecipe recipe = recipe(eval.tenant(), spec, i, "variants[" + i + "].prompt.few_shot_file");
            for (EvalExample example : examples) {
                queries.add(new Query(i, variant, example, PromptTokens.of(backend.tokenizer(), recipe.apply(example.prompt()),
                        example.reference())));
            }
        }
        long started = System.nanoTime();
        EvalBackend.Answer[] answers = answer(eval, queries, spec.maxTokens());
        if (eval.jobId() != null) {
            jobGoingOn(eval);   // cancelled as the last answers came: nothing is scored or stored
        }
        double share = (System.nanoTime() - started) / 1e9 / queries.size();
        List<CompletableFuture<EvalBackend.Score>> scores = queries.stream().map(q -> backend.score(eval.tenant(), q.variant.model(),
                q.tokens.prompt(), q.tokens.reference())).toList();
        Map<Integer, List<EvalStore.Result>> byVariant = new TreeMap<>();
        for (int q = 0; q < queries.size(); q++) {
            Query query = queries.get(q);
            EvalBackend.Answer answer = answers[q];
            EvalBackend.Score score = join(scores.get(q));
            ExampleResult result = new ExampleResult(query.example.index(), query.variant.name(), answer.text(),
                    query.example.reference(), answer.finishReason(), query.tokens.prompt().length, answer.tokenIds().length,
                    answer.latencySeconds(), answer.prefillSeconds(), share, Checks.exactMatch(answer.text(), query.example.reference()),
                    Checks.normalizedMatch(answer.text(), query.example.reference()), score.tokens(), score.correct(), score.lossSum(),
                    spec.checks().jsonValid(answer.text()), spec.checks().regexMatch(answer.text()));
            byVariant.computeIfAbsent(query.index, k -> new ArrayList<>())
                    .add(new EvalStore.Result(query.index, query.example.index(), result.toJson().encode()));
        }
        byVariant.forEach((variant, results) -> evals.putResults(eval.id(), variant, results));
        evals.renew(eval.id(), now() + LEASE_SECONDS);
    }

    private record Query(int index, Variant variant, EvalExample example, PromptTokens tokens) {}

    /** Every query's answer, at most {@link #WINDOW} in flight, renewing the lease and reporting progress as they come. */
    private EvalBackend.Answer[] answer(Eval eval, List<Query> queries, int maxTokens) {
        EvalBackend.Answer[] answers = new EvalBackend.Answer[queries.size()];
        LinkedBlockingQueue<Object[]> finished = new LinkedBlockingQueue<>();
        int next = 0;
        int received = 0;
        long renewAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(LEASE_SECONDS / 3);
        long checkJobAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOB_CHECK_MILLIS);
        int reportEvery = Math.max(1, queries.size() / 4);
        while (received < queries.size()) {
            while (next < queries.size() && next - received < WINDOW) {
                int at = next++;
                Query q = queries.get(at);
                backend.generate(eval.tenant(), q.variant.model(), q.tokens.prompt(), maxTokens)
                        .whenComplete((answer, error) -> finished.add(new Object[] {at, answer, error}));
            }
            Object[] done;
            try {
                done = finished.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for answers", e);
            }
            if (System.nanoTime() > renewAt) {
                evals.renew(eval.id(), now() + LEASE_SECONDS);
                renewAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(LEASE_SECONDS / 3);
            }
            if (eval.jobId() != null && System.nanoTime() > checkJobAt) {
                jobGoingOn(eval);   // a job cancelled while its baseline runs stops the eval: no more requests go out
                checkJobAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOB_CHECK_MILLIS);
            }
            if (done == null) {
                continue;
            }
            if (done[2] != null) {
                Throwable error = (Throwable) done[2];
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                Query q = queries.get((Integer) done[0]);
                throw new IllegalStateException("serving refused " + q.variant.model() + " for example " + q.example.index() + ": "
                        + cause.getMessage(), cause);
            }
            answers[(Integer) done[0]] = (EvalBackend.Answer) done[1];
            received++;
            if (received % reportEvery == 0 && received < queries.size()) {
                evals.appendEvent(eval.id(), now(), "info", "progress", received + " of " + queries.size() + " answers",
                        new JsonObject().put("answered", received).put("total", queries.size()).encode());
            }
        }
        return answers;
    }

    /** Writes the report from the stored results and ends the eval; a job's eval also tells the job. */
    private void report(Eval eval, EvalSpec spec, Map<Integer, List<ExampleResult>> done) {
        List<EvalReport.VariantResults> variants = new ArrayList<>();
        List<ExampleResult> all = new ArrayList<>();
        for (int i = 0; i < spec.variants().size(); i++) {
            Variant v = spec.variants().get(i);
            boolean adapter = !v.model().equals(backend.baseModel());
            variants.add(new EvalReport.VariantResults(v.name(), v.model(), adapter,
                    adapter ? trainingCost(eval.tenant(), v.model()) : null, done.get(i)));
            all.addAll(done.get(i));
        }
        String device = backend.deviceType() + (backend.deviceProduct() == null ? "" : " (" + backend.deviceProduct() + ")");
        ServingRates rates = ServingRates.measured(all, device, prices.usdPerHour(backend.deviceType(), backend.deviceProduct()));
        EvalReport report = EvalReport.compute(spec.metric(), variants, new Bootstrap(Bootstrap.DEFAULT_RESAMPLES, spec.seed()), rates,
                spec.paybackMonths());
        JsonObject verdict = report.verdict().toJson();
        evals.succeed(eval.id(), report.toJson().encode(), now(), "Eval succeeded. " + report.verdict().text(), verdict.encode());
        if (eval.jobId() != null) {
            store.appendEvent(eval.jobId(), now(), "info", "eval", "Baseline eval " + eval.id() + ": " + report.verdict().text(),
                    verdict.copy().put("eval_id", eval.id()).encode());
        }
    }

    /** What training the adapter cost: its job's billed attempts; null for an adapter imported without a job. */
    private Double trainingCost(String tenant, String adapter) {
        return store.adapterVersions(tenant, adapter).stream().findFirst().map(a -> a.jobId())
                .flatMap(store::jobById).map(Job::costUsd).orElse(null);
    }

    /** Stored results of the variants that have one per example, by variant index, in example order. */
    private Map<Integer, List<ExampleResult>> stored(String evalId, int examples) {
        Map<Integer, List<ExampleResult>> byVariant = new TreeMap<>();
        for (EvalStore.Result r : evals.results(evalId)) {
            byVariant.computeIfAbsent(r.variant(), k -> new ArrayList<>()).add(ExampleResult.fromJson(new JsonObject(r.data())));
        }
        byVariant.values().removeIf(results -> results.size() != examples);
        return byVariant;
    }

    /** The recipe of variant {@code index}, its few-shot turns drawn with the eval's seed; {@code param} names the few-shot file. */
    public PromptRecipe recipe(String tenant, EvalSpec spec, int index, String param) {
        Variant v = spec.variants().get(index);
        return new PromptRecipe(v.system(), v.fewShotFile() == null ? List.of()
                : PromptRecipe.draw(examples(tenant, v.fewShotFile(), param), v.fewShotCount(), spec.seed()), v.template());
    }

    /** A file's examples, read from the artifact store. */
    public List<EvalExample> examples(String tenant, String fileId, String param) {
        StoredFile file = store.file(tenant, fileId).orElseThrow(() -> new InvalidEvalException(param, "file_not_found",
                param + " " + fileId + " does not exist; upload it with POST /v1/files"));
        try (InputStream in = Files.newInputStream(artifacts.path(file.sha256()))) {
            return EvalExample.read(in, param);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read file " + fileId + ": " + e.getMessage(), e);
        }
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("scoring failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while scoring", e);
        }
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    @Override
    public void close() {
        closed = true;
        thread.shutdownNow();
    }
}
