package dev.loraplane.engine.quant;

/**
 * The 4-bit NormalFloat data type of QLoRA (Dettmers et al., 2023, §3): 16 levels {@code q₀ < … <
 * q₁₅} in {@code [-1, 1]}, the quantiles of N(0, 1) that give each bin equal probability mass,
 * rescaled so {@code q₀ = -1} and {@code q₁₅ = 1}, with an exact {@code q₇ = 0}. The values are
 * bitsandbytes' {@code get_4bit_type("nf4")}.
 *
 * <p>A value {@code v ∈ [-1, 1]} (a weight divided by its block's absmax) gets the code of the
 * nearest level: {@code encode(v) = #{i : v > mᵢ}}, {@code mᵢ = (qᵢ + qᵢ₊₁) / 2}, the decision tree of
 * bitsandbytes' {@code dQuantizeNF4} (a value on a midpoint takes the lower level).
 */
public final class Nf4 {

    /** The levels {@code qᵢ}, indexed by their 4-bit code. */
    static final float[] LEVELS = {
        -1.0f,
        -0.6961928009986877f,
        -0.5250730514526367f,
        -0.39491748809814453f,
        -0.28444138169288635f,
        -0.18477343022823334f,
        -0.09105003625154495f,
        0.0f,
        0.07958029955625534f,
        0.16093020141124725f,
        0.24611230194568634f,
        0.33791524171829224f,
        0.44070982933044434f,
        0.5626170039176941f,
        0.7229568362236023f,
        1.0f,
    };

    /** The midpoints {@code mᵢ} between adjacent levels, as bitsandbytes' decision tree has them. */
    private static final float[] MIDPOINTS = {
        -0.8480964004993439f,
        -0.6106329262256622f,
        -0.4599952697753906f,
        -0.33967943489551544f,
        -0.23460740596055984f,
        -0.13791173323988914f,
        -0.045525018125772476f,
        0.03979014977812767f,
        0.1202552504837513f,
        0.2035212516784668f,
        0.2920137718319893f,
        0.3893125355243683f,
        0.5016634166240692f,
        0.6427869200706482f,
        0.8614784181118011f,
    };

    /** The code of level 0, which padding takes. */
    static final int ZERO = 7;

    private Nf4() {}

    /** The level of a 4-bit code. */
    public static float level(int code) {
        return LEVELS[code];
    }

    /** The code of the level nearest {@code v}, for {@code v} in {@code [-1, 1]}. */
    public static int encode(float v) {
        int lo = 0;
        int hi = MIDPOINTS.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (v > MIDPOINTS[mid]) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
