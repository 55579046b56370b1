package dev.loraplane.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The arrays one forward step takes for a left-padded batch.
 *
 * @param inputIds {@code [B, T]}
 * @param positions {@code [B, T]}: column minus the sequence's padding, 0 on padding
 * @param mask {@code [B, 1, 1, T, start + T]}
 */
public record StepInputs(NDArray inputIds, NDArray positions, NDArray mask) {

    /**
     * @param ids {@code B·T} token ids, row-major; padding columns may hold any id
     * @param pads leading padding columns of each sequence
     * @param start columns already in the cache
     */
    public static StepInputs leftPadded(NDManager manager, long[] ids, int tokens, int[] pads, int start,
            ModelConfig config) {
        int batch = pads.length;
        long[] positions = new long[batch * tokens];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < tokens; t++) {
                positions[b * tokens + t] = Math.max(0, start + t - pads[b]);
            }
        }
        return new StepInputs(
                manager.create(ids, new Shape(batch, tokens)),
                manager.create(positions, new Shape(batch, tokens)),
                AttentionMask.build(manager, pads, start, tokens, config.slidingWindow()));
    }
}
