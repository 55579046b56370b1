package dev.loraplane.serving.batch;

/**
 * What one sequence generated.
 *
 * @param tokenIds the generated tokens only, a stop token included
 * @param finishReason {@value #STOP} when a stop token or string ended it, {@value #LENGTH} when max
 *     tokens or the context did, {@value #CANCELLED} when it was cancelled or the engine closed
 * @param stopString the stop string the decoded output came to contain, or null; callers cut the
 *     text before it, as OpenAI's API does
 * @param promptTokens tokens in the prompt
 * @param timings when the tokens came
 */
public record Completion(int[] tokenIds, String finishReason, String stopString, int promptTokens,
        Timings timings) {

    public static final String STOP = "stop";
    public static final String LENGTH = "length";
    public static final String CANCELLED = "cancelled";

    public Completion {
        tokenIds = tokenIds.clone();
    }

    /** Tokens generated. */
    public int completionTokens() {
        return tokenIds.length;
    }
}
