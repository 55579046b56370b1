package dev.loraplane.datasets.pack;

/**
 * One fixed-length training row holding one or more whole examples, then padding. Arrays are
 * shared, not copied: do not change them.
 *
 * <p>Examples are numbered by {@code segments} from 1 in the order they sit in the row; padding
 * is segment 0. Positions restart at 0 with each example, so rotary embeddings see every example
 * as if it were alone. Attention must not cross examples: the model builds a block-diagonal causal
 * mask from the segment ids. Semantics:
 *
 * <pre>
 * visible(q, k) = segments[q] == segments[k] &amp;&amp; segments[q] != 0 &amp;&amp; k &lt;= q   // same example, causal
 *              || k == q                                                   // padding sees itself
 * position of token i = positions[i]
 * loss = mean over i with lossMask[i] of -log p(tokens[i] | tokens of its example before i)
 * </pre>
 *
 * The first token of every example has {@code lossMask} false, so no example is asked to predict
 * from the one before it; {@link #labels()} gives the targets already shifted.
 *
 * @param tokens token ids, padded with the pad token
 * @param lossMask whether token {@code i} is a training target
 * @param positions position ids, 0 at the start of each example and on padding
 * @param segments 1, 2, … for the examples in order, 0 for padding
 * @param exampleCount how many examples the row holds
 * @param used tokens before the padding
 */
public record PackedSequence(int[] tokens, boolean[] lossMask, int[] positions, int[] segments, int exampleCount,
        int used) {

    /** The label that loss functions ignore (PyTorch's and Hugging Face's {@code -100}). */
    public static final int IGNORE_INDEX = -100;

    public PackedSequence {
        int n = tokens.length;
        if (lossMask.length != n || positions.length != n || segments.length != n) {
            throw new IllegalArgumentException("arrays differ in length: " + n + " tokens, " + lossMask.length
                    + " mask flags, " + positions.length + " positions, " + segments.length + " segments");
        }
    }

    public int length() {
        return tokens.length;
    }

    /**
     * Targets for next-token prediction at each position, in the convention of Hugging Face's
     * shifted labels: {@code labels[i] = tokens[i + 1]} when that token is a target of the same
     * example, else {@link #IGNORE_INDEX}; the last position is always ignored.
     */
    public int[] labels() {
        int[] labels = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            boolean target = i + 1 < tokens.length && lossMask[i + 1] && segments[i + 1] == segments[i];
            labels[i] = target ? tokens[i + 1] : IGNORE_INDEX;
        }
        return labels;
    }

    /** The number of training targets in the row. */
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
