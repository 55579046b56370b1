package dev.loraplane.engine.model;

/**
 * How the base projections (q/k/v/o, gate/up/down of every layer) are kept in memory. Embeddings,
 * norms and the LM head always stay in the model's dtype, as in QLoRA.
 */
public enum Quantization {
    /** The checkpoint's weights in the model's dtype. */
    NONE,
    /** 4-bit NormalFloat with double-quantized absmax constants: {@link dev.loraplane.engine.quant.Nf4Linear}. */
    NF4
}
