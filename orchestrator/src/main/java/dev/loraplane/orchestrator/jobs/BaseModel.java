package dev.loraplane.orchestrator.jobs;

import java.nio.file.Path;
import java.util.Map;

/**
 * A base model jobs may fine-tune.
 *
 * @param dir its Hugging Face directory
 * @param learningRate the learning rate that {@code learning_rate_multiplier} 1 (and "auto") means
 * @param maxSeqLen packed row length for its jobs
 * @param tokensPerSecond training throughput per device by accelerator type, for cost estimates until
 *     jobs have measured it (missing types take {@link dev.loraplane.orchestrator.cost.CostEstimator#DEFAULT_THROUGHPUT})
 */
public record BaseModel(String name, Path dir, double learningRate, int maxSeqLen, Map<String, Double> tokensPerSecond) {

    public BaseModel {
        tokensPerSecond = Map.copyOf(tokensPerSecond);
    }
}
