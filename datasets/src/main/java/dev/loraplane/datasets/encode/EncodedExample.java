package dev.loraplane.datasets.encode;

/**
 * One example as token ids with its loss mask. Arrays are shared, not copied: do not change them.
 *
 * <p>{@code lossMask[i]} says whether token {@code i} is a training target, predicted from the
 * tokens before it. The first token never is, since nothing precedes it.
 *
 * @param tokens the token ids, at most {@code maxTokens} of them (none for a {@link Fit#TOO_LONG} example)
 * @param lossMask one flag per token
 * @param fullLength the token count before any truncation
 * @param fit whether the example is kept whole, truncated, or dropped and why
 */
public record EncodedExample(int[] tokens, boolean[] lossMask, int fullLength, Fit fit) {

    /** How an example fits the maximum sequence length, and whether it is trained on. */
    public enum Fit {
        /** Kept with all its tokens. */
        WHOLE,
        /** Kept with its first {@code maxTokens} tokens. */
        TRUNCATED,
        /** Dropped: longer than {@code maxTokens} with {@link Overflow#DROP}; it holds no tokens. */
        TOO_LONG,
        /** Dropped: no token is a target (every assistant message has weight 0, or truncation cut them all). */
        NO_TARGETS
    }

    public EncodedExample {
        if (tokens.length != lossMask.length) {
            throw new IllegalArgumentException(tokens.length + " tokens but " + lossMask.length + " mask flags");
        }
    }

    public int length() {
        return tokens.length;
    }

    /** Whether the example takes part in training. */
    public boolean kept() {
        return fit == Fit.WHOLE || fit == Fit.TRUNCATED;
    }

    /** The number of tokens the loss is computed on. */
    public int targetCount() {
        int count = 0;
        for (boolean target : lossMask) {
            if (target) {
                count++;
            }
        }
        return count;
    }
}
