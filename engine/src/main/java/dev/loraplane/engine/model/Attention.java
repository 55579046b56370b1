package dev.loraplane.engine.model;

import ai.djl.ndarray.NDArray;

/**
 * Causal self-attention with grouped-query heads. The {@code groupSize} query heads that share one
 * key/value head are folded into the token axis, so keys and values are never repeated in memory.
 */
final class Attention {

    private Attention() {}

    /**
     * @param x {@code [B, T, dim]}, already normalized
     * @param cosSin rotary angles for these tokens, {@code [B, 1, T, head_dim]} each
     * @param mask additive mask {@code [B, 1, 1, T, S]}: 0 where a query may attend, a large negative
     *     number elsewhere; {@code S} counts cached columns plus these {@code T}
     * @param cache the sequences' cache, or null for a full-sequence pass
     * @return {@code [B, T, dim]}
     */
    static NDArray forward(NDArray x, LayerWeights w, ModelConfig c, int layer, NDArray[] cosSin, NDArray mask,
            KvCache cache, Adapters adapters) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        int hd = c.headDim();
        int kvHeads = c.numKvHeads();
        int group = c.groupSize();

        NDArray q = adapters.project(layer, "q_proj", w.qProj(), x).reshape(b, t, c.numHeads(), hd).transpose(0, 2, 1, 3);
        NDArray k = adapters.project(layer, "k_proj", w.kProj(), x).reshape(b, t, kvHeads, hd).transpose(0, 2, 1, 3);
        NDArray v = adapters.project(layer, "v_proj", w.vProj(), x).reshape(b, t, kvHeads, hd).transpose(0, 2, 1, 3);
        q = Rope.apply(q, cosSin[0], cosSin[1]);   // [B, H, T, hd]
        k = Rope.apply(k, cosSin[0], cosSin[1]);   // [B, KV, T, hd]
        if (cache != null) {
            NDArray[] kv = cache.append(layer, k, v);
            k = kv[0];                              // [B, KV, S, hd]
            v = kv[1];
        }
        long s = k.getShape().get(2);

        NDArray grouped = q.reshape(b, kvHeads, group * t, hd);              // head h = kv·group + g
        NDArray scores = grouped.matMul(k.transpose(0, 1, 3, 2)).mul(Scalar.of(x, 1 / Math.sqrt(hd)))
                .reshape(b, kvHeads, group, t, s).add(mask);
        NDArray probs = scores.softmax(-1).reshape(b, kvHeads, group * t, s);
        NDArray out = probs.matMul(v)                                       // [B, KV, G·T, hd]
                .reshape(b, c.numHeads(), t, hd).transpose(0, 2, 1, 3).reshape(b, t, (long) c.numHeads() * hd);
        return adapters.project(layer, "o_proj", w.oProj(), out);
    }
}
