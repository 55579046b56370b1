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
final class AttentionMask {

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
}
