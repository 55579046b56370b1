package dev.loraplane.engine.train;

/**
 * How to train: every value concrete (the control plane resolves OpenAI's "auto" before this).
 *
 * @param epochs passes over the training rows; ignored when {@code maxSteps} is set
 * @param maxSteps optimizer steps to run, or 0 to run {@code epochs}
 * @param batchSize packed rows per micro-batch
 * @param gradientAccumulation micro-batches per optimizer step
 * @param learningRate the peak learning rate of AdamW
 * @param warmupSteps steps of linear warmup from 0
 * @param schedule the decay after warmup
 * @param weightDecay AdamW's decoupled weight decay
 * @param maxGradNorm clip the global gradient norm to this; 0 for no clipping
 * @param evalEvery steps between evaluations of the validation loss; 0 for only at the end
 * @param checkpointEvery steps between checkpoints; 0 for none
 * @param seed seeds the data order and the dropout masks; the same seed trains the same adapter
 */
public record TrainingConfig(int epochs, int maxSteps, int batchSize, int gradientAccumulation, double learningRate,
        int warmupSteps, Schedule schedule, double weightDecay, double maxGradNorm, int evalEvery, int checkpointEvery,
        long seed) {

    /** The learning-rate curve after warmup. */
    public enum Schedule { COSINE, LINEAR, CONSTANT }

    public TrainingConfig {
        require(epochs >= 1 || maxSteps >= 1, "n_epochs", "at least 1 (or set max steps)");
        require(maxSteps >= 0, "max_steps", ">= 0");
        require(batchSize >= 1, "batch_size", ">= 1");
        require(gradientAccumulation >= 1, "gradient_accumulation", ">= 1");
        require(learningRate > 0 && learningRate < 1, "learning_rate", "in (0, 1)");
        require(warmupSteps >= 0, "warmup_steps", ">= 0");
        require(weightDecay >= 0, "weight_decay", ">= 0");
        require(maxGradNorm >= 0, "max_grad_norm", ">= 0");
        require(evalEvery >= 0, "eval_every", ">= 0");
        require(checkpointEvery >= 0, "checkpoint_every", ">= 0");
    }

    private static void require(boolean ok, String field, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(field + " must be " + expected);
        }
    }

    /** The learning rate at optimizer step {@code step} (0-based) of {@code total}, as Hugging Face's schedulers. */
    public double learningRateAt(int step, int total) {
        if (step < warmupSteps) {
            return learningRate * (step + 1) / (warmupSteps + 1);
        }
        double progress = total <= warmupSteps ? 1 : (double) (step - warmupSteps) / Math.max(1, total - warmupSteps);
        return switch (schedule) {
            case COSINE -> learningRate * 0.5 * (1 + Math.cos(Math.PI * progress));
            case LINEAR -> learningRate * (1 - progress);
            case CONSTANT -> learningRate;
        };
    }
}
