package dev.loraplane.engine.quant;

/**
 * The absmax constants of an NF4 tensor after QLoRA's double quantization (§3, bitsandbytes'
 * {@code compress_statistics=True}): with {@code μ} the mean of the constants {@code a_b}, the
 * centred values {@code a_b - μ} are quantized blockwise, {@value #BLOCK} per block, to 8-bit codes of
 * the {@link DynamicMap} with one fp32 scale {@code s_j = max |a_b - μ|} per block {@code j}:
 *
 * <pre>
 *   code_b = DynamicMap.encode((a_b - μ) / s_⌊b/256⌋)
 *   a'_b   = DynamicMap.value(code_b) · s_⌊b/256⌋ + μ
 * </pre>
 *
 * so {@code |a_b - a'_b| ≤ DynamicMap.MAX_ERROR · s_⌊b/256⌋}. Storage is 8 bits per constant plus 32
 * bits per 256 constants and 32 bits for {@code μ}.
 *
 * @param codes one 8-bit code per NF4 block
 * @param scales one fp32 scale per {@value #BLOCK} codes
 * @param mean the mean {@code μ} of the constants
 */
public record QuantizedAbsmax(byte[] codes, float[] scales, float mean) {

    /** Absmax constants per scale. */
    public static final int BLOCK = 256;

    public static QuantizedAbsmax quantize(float[] absmax) {
        double sum = 0;
        for (float a : absmax) {
            sum += a;
        }
        float mean = absmax.length == 0 ? 0f : (float) (sum / absmax.length);
        byte[] codes = new byte[absmax.length];
        float[] scales = new float[(absmax.length + BLOCK - 1) / BLOCK];
        for (int j = 0; j < scales.length; j++) {
            int from = j * BLOCK;
            int to = Math.min(absmax.length, from + BLOCK);
            float scale = 0f;
            for (int b = from; b < to; b++) {
                scale = Math.max(scale, Math.abs(absmax[b] - mean));
            }
            float inverse = scale == 0f ? 0f : 1f / scale;
            for (int b = from; b < to; b++) {
                codes[b] = DynamicMap.encode((absmax[b] - mean) * inverse);
            }
            scales[j] = scale;
        }
        return new QuantizedAbsmax(codes, scales, mean);
    }

    /** The dequantized constant {@code a'_b} of NF4 block {@code b}. */
    public float get(int block) {
        return DynamicMap.value(codes[block]) * scales[block / BLOCK] + mean;
    }

    public int blocks() {
        return codes.length;
    }

    public long residentBytes() {
        return codes.length + 4L * scales.length + 4;
    }
}
