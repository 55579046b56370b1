package dev.loraplane.engine.quant;

import ai.djl.ndarray.NDManager;
import dev.loraplane.engine.runtime.Torch;
import java.util.Random;

/** Test helpers: seeded weights, the engine's dequantization, and an independent one. */
final class Nf4Tensors {

    private Nf4Tensors() {}

    /** {@code n} draws of N(0, 1). */
    static float[] gaussian(int n, long seed) {
        Random random = new Random(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    /** The tensor as {@link Nf4Tensor#dequantize(NDManager)} expands it. */
    static float[] dequantized(Nf4Tensor tensor) {
        Torch.forceOffline();
        try (NDManager manager = NDManager.newBaseManager(Torch.ENGINE)) {
            return tensor.dequantize(manager).toFloatArray();
        }
    }

    /** {@code ŵ_i = level(code_i) · a'_b}, decoded nibble by nibble from the stored bytes. */
    static float[] reference(Nf4Tensor tensor) {
        float[] out = new float[tensor.size()];
        for (int i = 0; i < out.length; i++) {
            int pair = tensor.codes()[i / 2] & 0xff;
            int code = i % 2 == 0 ? pair >> 4 : pair & 15;
            out[i] = Nf4.level(code) * tensor.absmax().get(i / Nf4Tensor.BLOCK);
        }
        return out;
    }
}
