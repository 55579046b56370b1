package dev.loraplane.engine.generate;

/**
 * What one sequence generated.
 *
 * @param tokenIds the generated tokens only, a stop token included
 * @param finishReason {@code stop} when a stop token ended it, {@code length} when max tokens did
 */
public record Generation(int[] tokenIds, String finishReason) {}
