package dev.loraplane.engine.quant;

import java.util.Arrays;

/**
 * bitsandbytes' signed 8-bit dynamic map ({@code create_dynamic_map(signed=True, max_exponent_bits=7,
 * total_bits=8)}, Dettmers 2016), the code QLoRA's double quantization uses for the absmax constants.
 *
 * <p>For each decade {@code k = 0 … 6} it holds {@code ±10^(k-6)·μ} for the {@code 2^k} midpoints
 * {@code μ} of {@code linspace(0.1, 1, 2^k + 1)}, plus 0 and 1: 256 sorted values in {@code
 * [-0.99297, 1]}, dense near 0 and spaced {@code 0.9/64 = 0.0140625} in the top decade. A value
 * {@code v ∈ [-1, 1]} takes the code of the nearest entry, so its rounding error is at most {@link
 * #MAX_ERROR}.
 */
public final class DynamicMap {

    private static final float[] CODE = build();

    /** The largest distance from a point of {@code [-1, 1]} to its nearest entry. */
    public static final float MAX_ERROR = maxError();

    private DynamicMap() {}

    /** The value of an 8-bit code, read unsigned. */
    public static float value(byte code) {
        return CODE[code & 0xff];
    }

    /** The code of the entry nearest {@code v}. */
    public static byte encode(float v) {
        int i = Arrays.binarySearch(CODE, v);
        if (i >= 0) {
            return (byte) i;
        }
        int above = -i - 1;
        if (above == 0) {
            return 0;
        }
        if (above == CODE.length) {
            return (byte) (CODE.length - 1);
        }
        return (byte) (v - CODE[above - 1] <= CODE[above] - v ? above - 1 : above);
    }

    private static float[] build() {
        float[] code = new float[256];
        int n = 0;
        for (int k = 0; k < 7; k++) {
            float decade = (float) Math.pow(10, k - 6);
            float[] bounds = linspace(0.1f, 1f, (1 << k) + 1);
            for (int j = 0; j + 1 < bounds.length; j++) {
                float mean = (bounds[j] + bounds[j + 1]) / 2f;
                code[n++] = decade * mean;
                code[n++] = -decade * mean;
            }
        }
        code[n++] = 0f;
        code[n] = 1f;
        Arrays.sort(code);
        return code;
    }

    /** {@code torch.linspace} in float32: stepped up from the start for the first half, down from the end after. */
    private static float[] linspace(float start, float end, int steps) {
        float step = (end - start) / (steps - 1);
        float[] out = new float[steps];
        for (int i = 0; i < steps; i++) {
            out[i] = i < steps / 2 ? start + step * i : end - step * (steps - 1 - i);
        }
        return out;
    }

    private static float maxError() {
        float worst = Math.max(CODE[0] + 1f, 1f - CODE[CODE.length - 1]);
        for (int i = 0; i + 1 < CODE.length; i++) {
            worst = Math.max(worst, (CODE[i + 1] - CODE[i]) / 2f);
        }
        return worst;
    }
}
