package dev.loraplane.orchestrator.jobs;

import dev.loraplane.datasets.DatasetValidator;
import dev.loraplane.datasets.Problem;
import dev.loraplane.datasets.ProblemCode;
import dev.loraplane.datasets.ValidationReport;
import dev.loraplane.datasets.encode.ExampleEncoder;
import dev.loraplane.engine.tokenizer.Tokenizer;
import dev.loraplane.engine.tokenizer.TrainingText;
import dev.loraplane.engine.train.JobSpec;
import dev.loraplane.orchestrator.artifacts.ArtifactStore;
import dev.loraplane.orchestrator.store.Adapter;
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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves jobs along from what the store says: validates files (validating_files → queued or failed),
 * starts queued jobs on free executor slots by priority (queued → running), turns the worker's lines
 * into events, and ends jobs (succeeded with a registered adapter, failed, or back to queued when
 * the worker was stopped or lost). The store is the truth; a sweep may run any time and repeats
 * nothing.
 */
public final class JobRunner {

    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
    private static final long CANCEL_GRACE_SECONDS = 30;

    private final Store store;
    private final ArtifactStore artifacts;
    private final Map<String, BaseModel> models;
    private final LocalExecutor executor;
    private final Path dataDir;
    private final Set<String> ended = ConcurrentHashMap.newKeySet();

    public JobRunner(Store store, ArtifactStore artifacts, Map<String, BaseModel> models, LocalExecutor executor, Path dataDir) {
        this.store = store;
        this.artifacts = artifacts;
        this.models = Map.copyOf(models);
        this.executor = executor;
        this.dataDir = dataDir;
    }

    /** One pass over the store. Blocking: run it off the event loop. */
    public synchronized void sweep() {
        for (Job job : store.jobsIn(List.of(JobStatus.RUNNING))) {
            if (!executor.isRunning(job.id())) {
                requeue(job, "The worker is gone (the control plane restarted); the job goes back to the queue");
            }
        }
        for (Job job : store.jobsIn(List.of(JobStatus.VALIDATING_FILES))) {
            validate(job);
        }
        for (Job job : store.jobsIn(List.of(JobStatus.QUEUED))) {
            if (executor.freeSlots() <= 0) {
                break;
            }
            start(job);
        }
    }

    /** Stops the worker of a job that was cancelled. */
    public void cancelled(String jobId) {
        executor.cancel(jobId, CANCEL_GRACE_SECONDS);
    }

    private void validate(Job job) {
        BaseModel model = models.get(job.model());
        try (Tokenizer tokenizer = Tokenizer.load(model.dir())) {
            TrainingText text = new TrainingText(tokenizer);
            ExampleEncoder encoder = ExampleEncoder.builder().setTokenizer(text).setMaxTokens(model.maxSeqLen())
                    .optChatRenderer(text.chatRenderer()).build();
            ValidationReport report = DatasetValidator.builder().optTokenLimit(encoder::countTokens, model.maxSeqLen()).build()
                    .validate(blob(job.tenant(), job.trainingFile()));
            List<Problem> fatal = report.problems().stream().filter(p -> p.code() != ProblemCode.EXAMPLE_TOO_LONG).toList();
            long tooLong = report.problems().size() - fatal.size();
            if (!fatal.isEmpty()) {
                fail(job, JobStatus.VALIDATING_FILES, "invalid_training_file", "training_file", "The training file has "
                        + fatal.size() + " problem(s): " + fatal.stream().limit(5).map(Problem::message).collect(Collectors.joining("; ")));
                return;
            }
            long now = now();
            store.transition(job.moved(JobStatus.QUEUED, job.attempts(), null), List.of(JobStatus.VALIDATING_FILES),
                    new JobEvent(job.id(), 0, now, "info", "status", "Validated training file: " + report.validExamples()
                            + " examples" + (tooLong > 0 ? "; " + tooLong + " longer than " + model.maxSeqLen()
                            + " tokens will be truncated" : ""), null));
        } catch (JobStateException e) {
            LOG.info("{}: {}", job.id(), e.getMessage());   // cancelled while its files were being validated
        } catch (RuntimeException e) {
            LOG.warn("validating {} failed", job.id(), e);
            fail(job, JobStatus.VALIDATING_FILES, "validation_failed", "training_file", "The training file could not be validated: "
                    + e.getMessage());
        }
    }

    private void start(Job job) {
        JsonObject request = new JsonObject(job.request());
        BaseModel model = models.get(job.model());
        Path jobDir = dataDir.resolve("jobs").resolve(job.id());
        Path checkpoints = jobDir.resolve("checkpoints");
        JobSpec spec = new JobSpec(job.id(), model.dir(), blob(job.tenant(), job.trainingFile()),
                job.validationFile() == null ? null : blob(job.tenant(), job.validationFile()),
                dataDir.resolve("adapters").resolve(job.id()), checkpoints, latestCheckpoint(checkpoints).orElse(null),
                hyperparameters(request, model), lora(request), request.getString("quantization", "nf4"), model.maxSeqLen(),
                false, 0);
        Path specFile = jobDir.resolve("spec.json");
        LocalExecutor.writeSpec(specFile, spec.toJson());
        Job running;
        try {
            running = store.transition(job.moved(JobStatus.RUNNING, job.attempts() + 1, null), List.of(JobStatus.QUEUED),
                    new JobEvent(job.id(), 0, now(), "info", "status", spec.resumeFrom() == null ? "Fine-tuning job started"
                            : "Fine-tuning job resumed from " + spec.resumeFrom().getFileName(), null));
        } catch (JobStateException e) {
            return;   // cancelled meanwhile
        }
        ended.remove(job.id());
        executor.start(job.id(), specFile, jobDir.resolve("worker.log"), line -> onLine(running, request, line),
                code -> onExit(running, code, jobDir.resolve("worker.log")));
    }

    private void onLine(Job job, JsonObject request, String text) {
        JsonObject line;
        try {
            line = new JsonObject(text);
        } catch (RuntimeException e) {
            LOG.warn("{}: worker printed a line that is not JSON: {}", job.id(), text);
            return;
        }
        String type = line.getString("type", "");
        try {
            switch (type) {
                case "progress", "eval" -> store.appendEvent(job.id(), now(), "info", "metrics", WorkerLine.message(line),
                        WorkerLine.metrics(line).encode());
                case "started" -> store.appendEvent(job.id(), now(), "info", "message", WorkerLine.message(line), null);
                case "checkpoint" -> store.appendEvent(job.id(), now(), "info", "checkpoint", WorkerLine.message(line),
                        new JsonObject().put("step", line.getInteger("step")).put("path", line.getString("path")).encode());
                case "completed" -> {
                    ended.add(job.id());
                    succeed(job, request, line);
                }
                case "error" -> {
                    ended.add(job.id());
                    fail(job, JobStatus.RUNNING, line.getString("code"), null, line.getString("message"));
                }
                default -> { }
            }
        } catch (JobStateException e) {
            LOG.info("{}: {}", job.id(), e.getMessage());   // cancelled while the worker was still talking
        }
    }

    private void onExit(Job job, int code, Path log) {
        if (ended.contains(job.id())) {
            return;
        }
        Optional<Job> current = store.jobById(job.id());
        if (current.isEmpty() || current.get().status() != JobStatus.RUNNING) {
            return;
        }
        if (code == 143) {
            requeue(current.get(), "The worker was stopped after writing a checkpoint; the job goes back to the queue");
        } else {
            fail(current.get(), JobStatus.RUNNING, "worker_crashed", null, "The worker exited with code " + code
                    + " before finishing; its log is " + log);
        }
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
                bytes, now), new JobEvent(job.id(), 0, now, "info", "status", "The job has successfully completed: " + name, null));
    }

    /** Fails the job if it is still {@code from}; a job someone else moved (cancelled) is left as it is. */
    private void fail(Job job, JobStatus from, String code, String param, String message) {
        Job failed = job.failed(code, message, param, now());
        try {
            store.transition(failed, List.of(from), new JobEvent(job.id(), 0, now(), "error", "status", message, null));
        } catch (JobStateException e) {
            LOG.info("{}: {}", job.id(), e.getMessage());
        }
    }

    private void requeue(Job job, String message) {
        try {
            store.transition(job.moved(JobStatus.QUEUED, job.attempts(), null), List.of(JobStatus.RUNNING),
                    new JobEvent(job.id(), 0, now(), "warn", "status", message, null));
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

    private static JobSpec.Hyperparameters hyperparameters(JsonObject request, BaseModel model) {
        JsonObject h = request.getJsonObject("hyperparameters");
        int epochs = h.getValue("n_epochs") instanceof Number n ? n.intValue() : 3;
        int batch = h.getValue("batch_size") instanceof Number n ? n.intValue() : 4;
        double multiplier = h.getValue("learning_rate_multiplier") instanceof Number n ? n.doubleValue() : 1.0;
        return new JobSpec.Hyperparameters(epochs, 0, batch, 1, multiplier * model.learningRate(), 0, "cosine", 0, 1.0, 0, 10,
                request.getLong("seed"));
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
