package dev.loraplane.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The additive attention mask of one step over left-padded sequences: 0 where query column {@code
 * q} may see key column {@code k} (not padding, not in the future, inside the sliding window),
 * {@link #BLOCKED} elsewhere. A padding column sees only itself, so no row is empty and nothing
 * turns into NaN.
 */
public final class AttentionMask {

    /** Large and finite: {@code -inf} would make 0·inf = NaN in fully masked rows. */
    static final float BLOCKED = -1e30f;

    private AttentionMask() {}

    /**
     * @param pads leading padding columns of each sequence
     * @param start columns already in the cache
     * @param tokens columns this step adds
     * @param window sliding-window width, or 0 for none
     * @return {@code [B, 1, 1, tokens, start + tokens]}
     */
    static NDArray build(NDManager manager, int[] pads, int start, int tokens, int window) {
        int s = start + tokens;
        float[] mask = new float[pads.length * tokens * s];
        int i = 0;
        for (int pad : pads) {
            for (int t = 0; t < tokens; t++) {
                int q = start + t;
                for (int k = 0; k < s; k++) {
                    boolean visible = k >= pad && k <= q && (window <= 0 || q - k < window);
                    mask[i++] = visible || k == q ? 0f : BLOCKED;
                }
            }
        }
        return manager.create(mask, new Shape(pads.length, 1, 1, tokens, s));
    }

    /**
     * The block-diagonal causal mask of packed rows: a token sees the earlier tokens of its own
     * example; padding (segment 0) sees only itself.
     *
     * @param segments per row, 1, 2, … for the examples in order and 0 for padding
     * @return {@code [rows, 1, 1, T, T]}
     */
    public static NDArray packed(NDManager manager, int[][] segments) {
        int t = segments[0].length;
        float[] mask = new float[segments.length * t * t];
        int i = 0;
        for (int[] row : segments) {
            for (int q = 0; q < t; q++) {
                for (int k = 0; k < t; k++) {
                    boolean visible = k == q || (k < q && row[q] != 0 && row[k] == row[q]);
                    mask[i++] = visible ? 0f : BLOCKED;
                }
            }
        }
        return manager.create(mask, new Shape(segments.length, 1, 1, t, t));
    }
}
