package dev.loraplane.engine.generate;

/**
 * What one sequence generated.
 *
 * @param tokenIds the generated tokens only, a stop token included
 * @param finishReason {@code stop} when a stop token or string ended it, {@code length} when max
 *     tokens did
 * @param stopString the stop string the decoded output came to contain, or null; callers cut the
 *     text before it, as OpenAI's API does
 */
public record Generation(int[] tokenIds, String finishReason, String stopString) {}
