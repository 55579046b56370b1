package dev.loraplane.engine.model;

import ai.djl.ndarray.NDArray;

/** One pre-norm transformer block. */
final class DecoderLayer {

    private DecoderLayer() {}

    static NDArray forward(NDArray x, LayerWeights w, ModelConfig c, int layer, NDArray[] cosSin, NDArray mask,
            KvCache cache, Adapters adapters) {
        NDArray h = x.add(Attention.forward(RmsNorm.forward(x, w.inputLayernorm(), c.rmsNormEps()), w, c, layer,
                cosSin, mask, cache, adapters));
        return h.add(Mlp.forward(RmsNorm.forward(h, w.postAttentionLayernorm(), c.rmsNormEps()), w, adapters, layer));
    }
}
