package dev.loraplane.orchestrator.jobs;

import java.nio.file.Path;

/**
 * A base model jobs may fine-tune.
 *
 * @param dir its Hugging Face directory
 * @param learningRate the learning rate that {@code learning_rate_multiplier} 1 (and "auto") means
 * @param maxSeqLen packed row length for its jobs
 */
public record BaseModel(String name, Path dir, double learningRate, int maxSeqLen) {}
