package dev.loraplane.engine.train;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.loraplane.datasets.ValidationReport;
import dev.loraplane.datasets.DatasetValidator;
import dev.loraplane.datasets.encode.ExampleEncoder;
import dev.loraplane.datasets.prepare.DatasetPreparer;
import dev.loraplane.datasets.prepare.PreparedDataset;
import dev.loraplane.engine.Directories;
import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.tokenizer.Tokenizer;
import dev.loraplane.engine.tokenizer.TrainingText;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * One training job from spec to adapter: validate the files, load the base (NF4 for QLoRA), encode and
 * pack the data with the base's chat template, train, and move the finished adapter into place.
 */
public final class TrainingJob {

    /** What a finished job produced. */
    public record Result(Path adapter, String sha256, int steps, long trainedTokens, double finalLoss, Double finalEvalLoss) {}

    /** A job that ended early on request, with the checkpoint to resume from. */
    public record Stopped(int step, Path checkpoint) {}

    private final JobSpec spec;
    private volatile Trainer trainer;
    private volatile boolean stopRequested;

    public TrainingJob(JobSpec spec) {
        this.spec = spec;
    }

    /** Asks a running job to checkpoint and return at the end of its current step. */
    public void requestStop() {
        stopRequested = true;
        Trainer t = trainer;
        if (t != null) {
            t.requestStop();
        }
    }

    /**
     * Runs the job. Returns the adapter's {@link Result}, or a {@link Stopped} when asked to stop.
     *
     * @throws TrainingException with a code when the job cannot succeed
     */
    public Object run(Consumer<TrainingEvent> listener) {
        validate(spec.trainingFile(), "training_file");
        if (spec.validationFile() != null) {
            validate(spec.validationFile(), "validation_file");
        }
        try (Tokenizer tokenizer = Tokenizer.load(spec.baseModel());
                Llama model = Llama.load(spec.baseModel(), Device.cpu(), DataType.FLOAT32, spec.quantizationMode())) {
            TrainingText text = new TrainingText(tokenizer);
            ExampleEncoder encoder = ExampleEncoder.builder().setTokenizer(text)
                    .setMaxTokens(Math.min(spec.maxSeqLen(), model.config().maxPositions()))
                    .optChatRenderer(text.chatRenderer()).optTrainOnInputs(spec.trainOnInputs()).build();
            TrainingConfig config = spec.hyperparameters().toConfig();
            PreparedDataset data = DatasetPreparer.builder().setEncoder(encoder).optSeed(config.seed())
                    .optValidationFraction(spec.validationFile() == null ? spec.validationFraction() : 0).build()
                    .prepare(spec.trainingFile(), spec.validationFile());
            if (data.train().isEmpty()) {
                throw new TrainingException("no_training_rows", spec.trainingFile() + " has no example with a token to train on");
            }
            String name = spec.outputDir().getFileName().toString();
            try (LoraAdapter adapter = spec.resumeFrom() != null
                    ? LoraAdapter.fromCheckpoint(name, spec.resumeFrom(), model)
                    : LoraAdapter.initialize(name, spec.lora().toConfig(spec.baseModel().getFileName().toString()), model, config.seed())) {
                Trainer t = new Trainer(model, adapter, config, data.train(), data.validation(), spec.checkpointDir(), listener);
                if (spec.resumeFrom() != null) {
                    t.resume(spec.resumeFrom());
                }
                listener.accept(new TrainingEvent.Started(t.step(), t.totalSteps(), data.trainStats(), data.validationStats()));
                trainer = t;
                if (stopRequested) {
                    t.requestStop();
                }
                int steps = t.run();
                if (steps < t.totalSteps()) {
                    return new Stopped(steps, spec.checkpointDir() == null ? null : spec.checkpointDir().resolve("checkpoint-" + steps));
                }
                return publish(adapter, t, steps);
            }
        }
    }

    private Result publish(LoraAdapter adapter, Trainer t, int steps) {
        Path out = spec.outputDir().toAbsolutePath();
        Path temp = out.resolveSibling("." + out.getFileName() + ".partial");
        try {
            Directories.deleteTree(temp);
            adapter.save(temp);
            Directories.deleteTree(out);
            Files.createDirectories(out.getParent());
            Files.move(temp, out, StandardCopyOption.ATOMIC_MOVE);
            return new Result(out, sha256(out.resolve(LoraAdapter.WEIGHTS_FILE)), steps, t.trainedTokens(), t.lastLoss(),
                    t.lastEvalLoss());
        } catch (IOException e) {
            throw new TrainingException("output_not_writable", "cannot write the adapter to " + out + ": " + e.getMessage(), e);
        }
    }

    private static void validate(Path file, String field) {
        if (!Files.isReadable(file)) {
            throw new TrainingException("file_not_found", field + " " + file + " does not exist or cannot be read");
        }
        ValidationReport report = DatasetValidator.builder().build().validate(file);
        if (!report.valid()) {
            String problems = report.problems().stream().limit(5).map(p -> p.message()).collect(Collectors.joining("; "));
            throw new TrainingException("invalid_" + field, field + " " + file + " has " + report.problemCount()
                    + " problem(s): " + problems);
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
