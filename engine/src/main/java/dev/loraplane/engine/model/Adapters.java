package dev.loraplane.engine.model;

import ai.djl.ndarray.NDArray;

/**
 * What one forward pass adds beside the base projections. The base weights never change; an
 * implementation computes {@code base(x)} plus its own low-rank terms for the rows it owns.
 */
@FunctionalInterface
public interface Adapters {

    /** No adapter: the base model alone. */
    Adapters NONE = (layer, module, base, x) -> base.forward(x);

    /**
     * Applies projection {@code module} (e.g. {@code q_proj}) of decoder layer {@code layer}.
     *
     * @param x {@code [batch, tokens, in]}
     * @return {@code [batch, tokens, out]}
     */
    NDArray project(int layer, String module, Linear base, NDArray x);
}
