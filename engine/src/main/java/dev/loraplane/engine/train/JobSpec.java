package dev.loraplane.engine.train;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.loraplane.engine.lora.LoraConfig;
import dev.loraplane.engine.model.Quantization;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything one training job needs, wherever it runs (a child process, a remote agent, a
 * Kubernetes pod): the control plane writes it as JSON (snake_case), {@code loraplane worker --spec}
 * reads it. Paths are as the worker sees them.
 *
 * @param jobId the control plane's job id, echoed in events
 * @param baseModel the base model directory
 * @param trainingFile the training JSONL file
 * @param validationFile a validation JSONL file, or null to split one off ({@code validationFraction})
 * @param outputDir where the finished adapter appears, whole or not at all
 * @param checkpointDir where checkpoints go, or null for none
 * @param resumeFrom a checkpoint to continue from, or null
 * @param hyperparameters the training schedule
 * @param lora the adapter's shape
 * @param quantization {@code nf4} for QLoRA, {@code none} for LoRA on the full-precision base
 * @param maxSeqLen the packed row length; longer examples are truncated
 * @param trainOnInputs put the loss on prompts too, not only on completions
 * @param validationFraction the share of training examples held out when no validation file is given
 */
public record JobSpec(String jobId, Path baseModel, Path trainingFile, Path validationFile, Path outputDir,
        Path checkpointDir, Path resumeFrom, Hyperparameters hyperparameters, Lora lora, String quantization,
        int maxSeqLen, boolean trainOnInputs, double validationFraction) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public JobSpec {
        require(baseModel != null, "base_model");
        require(trainingFile != null, "training_file");
        require(outputDir != null, "output_dir");
        hyperparameters = hyperparameters == null ? Hyperparameters.DEFAULTS : hyperparameters;
        lora = lora == null ? Lora.DEFAULTS : lora;
        quantization = quantization == null ? "none" : quantization;
        maxSeqLen = maxSeqLen == 0 ? 512 : maxSeqLen;
        if (!quantization.equals("none") && !quantization.equals("nf4")) {
            throw new IllegalArgumentException("quantization is '" + quantization + "'; expected nf4 or none");
        }
    }

    private static void require(boolean present, String field) {
        if (!present) {
            throw new IllegalArgumentException("the job spec has no " + field);
        }
    }

    /**
     * The schedule, OpenAI's names where OpenAI has one.
     *
     * @param nEpochs passes over the data
     * @param batchSize packed rows per micro-batch
     * @param learningRate AdamW's peak learning rate
     */
    public record Hyperparameters(int nEpochs, int maxSteps, int batchSize, int gradientAccumulation,
            double learningRate, int warmupSteps, String schedule, double weightDecay, double maxGradNorm,
            int evalEvery, int checkpointEvery, long seed) {

        static final Hyperparameters DEFAULTS = new Hyperparameters(3, 0, 4, 1, 2e-4, 0, "cosine", 0, 1.0, 0, 0, 0);

        /** The trainer's config; a field left out (0) takes its default. */
        TrainingConfig toConfig() {
            return new TrainingConfig(nEpochs > 0 ? nEpochs : DEFAULTS.nEpochs, maxSteps,
                    batchSize > 0 ? batchSize : DEFAULTS.batchSize, Math.max(1, gradientAccumulation),
                    learningRate > 0 ? learningRate : DEFAULTS.learningRate, warmupSteps,
                    TrainingConfig.Schedule.valueOf((schedule == null ? "cosine" : schedule).toUpperCase(java.util.Locale.ROOT)),
                    weightDecay, maxGradNorm, evalEvery, checkpointEvery, seed);
        }
    }

    /** LoRA's shape, PEFT's names. */
    public record Lora(int r, double alpha, double dropout, List<String> targetModules, boolean useRslora) {

        static final Lora DEFAULTS = new Lora(16, 32, 0.05, LoraConfig.MODULES, false);

        LoraConfig toConfig(String baseModel) {
            return new LoraConfig(r > 0 ? r : DEFAULTS.r, alpha > 0 ? alpha : 2.0 * (r > 0 ? r : DEFAULTS.r), dropout, targetModules == null ? LoraConfig.MODULES : targetModules,
                    useRslora, baseModel);
        }
    }

    public Quantization quantizationMode() {
        return quantization.equals("nf4") ? Quantization.NF4 : Quantization.NONE;
    }

    public static JobSpec read(Path file) {
        try {
            return JSON.readValue(file.toFile(), JobSpec.class);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not a valid job spec: " + e.getMessage(), e);
        }
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
