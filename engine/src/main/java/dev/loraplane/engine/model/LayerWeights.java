package dev.loraplane.engine.model;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * The weights of one decoder layer, named as in the checkpoint.
 *
 * @param inputLayernorm {@code [dim]}
 * @param qProj {@code [heads·head_dim, dim]}
 * @param kProj {@code [kv_heads·head_dim, dim]}
 * @param vProj {@code [kv_heads·head_dim, dim]}
 * @param oProj {@code [dim, heads·head_dim]}
 * @param postAttentionLayernorm {@code [dim]}
 * @param gateProj {@code [hidden, dim]}
 * @param upProj {@code [hidden, dim]}
 * @param downProj {@code [dim, hidden]}
 */
public record LayerWeights(
        NDArray inputLayernorm,
        Linear qProj,
        Linear kProj,
        Linear vProj,
        Linear oProj,
        NDArray postAttentionLayernorm,
        Linear gateProj,
        Linear upProj,
        Linear downProj) {

    /** The seven projections by their checkpoint names, the modules LoRA can target. */
    public Map<String, Linear> projections() {
        return Map.of("q_proj", qProj, "k_proj", kProj, "v_proj", vProj, "o_proj", oProj,
                "gate_proj", gateProj, "up_proj", upProj, "down_proj", downProj);
    }
}
