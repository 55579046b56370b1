package dev.loraplane.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * Rotary position embedding in Hugging Face's convention: element {@code i} of a head pairs with
 * element {@code i + head_dim/2} ({@code rotate_half}), frequencies {@code θ^(-2i/head_dim)},
 * optionally rescaled as llama3 does for long contexts.
 */
final class Rope {

    private final float[] invFreq;

    Rope(ModelConfig config) {
        this.invFreq = inverseFrequencies(config);
    }

    static float[] inverseFrequencies(ModelConfig config) {
        int half = config.headDim() / 2;
        float[] inv = new float[half];
        for (int i = 0; i < half; i++) {
            inv[i] = (float) (1.0 / Math.pow(config.ropeTheta(), (2.0 * i) / config.headDim()));
        }
        ModelConfig.RopeScaling s = config.ropeScaling();
        if (s != null) {
            double lowWavelen = s.originalMaxPositions() / s.lowFreqFactor();
            double highWavelen = s.originalMaxPositions() / s.highFreqFactor();
            for (int i = 0; i < half; i++) {
                double wavelen = 2 * Math.PI / inv[i];
                if (wavelen > lowWavelen) {
                    inv[i] = (float) (inv[i] / s.factor());
                } else if (wavelen >= highWavelen) {
                    double smooth = (s.originalMaxPositions() / wavelen - s.lowFreqFactor())
                            / (s.highFreqFactor() - s.lowFreqFactor());
                    inv[i] = (float) ((1 - smooth) * inv[i] / s.factor() + smooth * inv[i]);
                }
            }
        }
        return inv;
    }

    /** cos and sin of every angle for these positions: two arrays {@code [batch, 1, tokens, head_dim]}. */
    NDArray[] cosSin(NDArray positions) {
        NDManager manager = positions.getManager();
        NDArray freqs = positions.toType(DataType.FLOAT32, false).expandDims(-1)
                .mul(manager.create(invFreq));                  // [B, T, half]
        NDArray angles = freqs.concat(freqs, -1).expandDims(1); // [B, 1, T, head_dim]
        return new NDArray[] {angles.cos(), angles.sin()};
    }

    /** Rotates {@code x} {@code [batch, heads, tokens, head_dim]} by the given angles. */
    static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        long half = x.getShape().get(3) / 2;
        NDArray x1 = x.get(new NDIndex("..., :{}", half));
        NDArray x2 = x.get(new NDIndex("..., {}:", half));
        NDArray rotated = x2.neg().concat(x1, -1);
        return x.mul(cos).add(rotated.mul(sin));
    }
}
