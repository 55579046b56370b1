package dev.loraplane.engine.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * A tensor in NF4 with double-quantized absmax constants, as QLoRA stores a frozen weight.
 *
 * <p>The row-major elements {@code w_i} are cut into blocks of {@value #BLOCK}, the last one padded
 * with zeros. Block {@code b} keeps its absmax {@code a_b = max |w_i|} and one 4-bit code per element,
 * two to a byte (first element in the high nibble):
 *
 * <pre>
 *   code_i = Nf4.encode(w_i / a_b)               quantize, with the exact a_b
 *   ŵ_i    = Nf4.level(code_i) · a'_b            dequantize, a'_b from {@link QuantizedAbsmax}
 * </pre>
 *
 * <p>So {@code |w_i - ŵ_i| ≤ g/2 · a_b + |a_b - a'_b|} with {@code g} the widest gap between adjacent
 * NF4 levels ({@code |level| ≤ 1}). Storage is {@code 4 + 8/64 + 32/(64·256) ≈ 4.127} bits per element,
 * plus 32 bits for the mean.
 *
 * @param shape the tensor's shape
 * @param codes {@code ⌈n/64⌉·32} bytes of packed 4-bit codes
 * @param absmax one double-quantized constant per block
 */
public record Nf4Tensor(Shape shape, byte[] codes, QuantizedAbsmax absmax) {

    /** Elements per absmax block. */
    public static final int BLOCK = 64;

    /** Blocks per tile of {@link #dequantize(int, int, FloatBuffer)}: 4 KiB of floats. */
    private static final int TILE_BLOCKS = 16;

    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[TILE_BLOCKS * BLOCK]);

    /**
     * Blocks per parallel task, at least: 16K elements, some 10 µs of work, well above the cost of a
     * fork. Tensors below two tasks' worth are dequantized by the calling thread alone.
     */
    private static final int TASK_BLOCKS = 256;

    /** Tasks per thread, so a thread that the OS deschedules leaves work the others can steal. */
    private static final int TASKS_PER_THREAD = 4;

    /** Quantizes row-major {@code values} of {@code shape}. */
    public static Nf4Tensor quantize(float[] values, Shape shape) {
        if (values.length != shape.size()) {
            throw new IllegalArgumentException(values.length + " values for shape " + shape);
        }
        if (values.length > Integer.MAX_VALUE / Float.BYTES - BLOCK) {
            throw new IllegalArgumentException("shape " + shape + " has " + values.length
                    + " elements; at most " + (Integer.MAX_VALUE / Float.BYTES - BLOCK) + " fit one dequantized buffer");
        }
        int blocks = (values.length + BLOCK - 1) / BLOCK;
        float[] absmax = new float[blocks];
        byte[] codes = new byte[blocks * BLOCK / 2];
        IntStream.range(0, blocks).parallel().forEach(b -> quantizeBlock(values, b, absmax, codes));
        return new Nf4Tensor(shape, codes, QuantizedAbsmax.quantize(absmax));
    }

    private static void quantizeBlock(float[] values, int b, float[] absmax, byte[] codes) {
        int from = b * BLOCK;
        int count = Math.min(BLOCK, values.length - from);
        float a = 0f;
        for (int i = 0; i < count; i++) {
            a = Math.max(a, Math.abs(values[from + i]));
        }
        float inverse = a == 0f ? 0f : 1f / a;
        for (int i = 0; i < BLOCK; i += 2) {
            int hi = i < count ? Nf4.encode(values[from + i] * inverse) : Nf4.ZERO;
            int lo = i + 1 < count ? Nf4.encode(values[from + i + 1] * inverse) : Nf4.ZERO;
            codes[(from + i) / 2] = (byte) (hi << 4 | lo);
        }
        absmax[b] = a;
    }

    /** Elements, without padding. */
    public int size() {
        return (int) shape.size();
    }

    /** Bytes of codes, absmax codes, their scales and mean. */
    public long residentBytes() {
        return codes.length + absmax.residentBytes();
    }

    /** The dequantized tensor {@code ŵ} in float32, in a buffer of its own. */
    public NDArray dequantize(NDManager manager) {
        ByteBuffer bytes = ByteBuffer.allocateDirect(absmax.blocks() * BLOCK * Float.BYTES).order(ByteOrder.nativeOrder());
        dequantize(bytes.asFloatBuffer());
        return manager.create(bytes.limit(size() * Float.BYTES), shape, DataType.FLOAT32);
    }

    /**
     * The dequantized tensor {@code ŵ} in float32, a view of the calling thread's reusable buffer: it
     * is overwritten by this thread's next call, so the caller closes it before then.
     */
    public NDArray dequantizeTransient(NDManager manager) {
        Scratch scratch = Scratch.forCurrentThread(absmax.blocks() * BLOCK);
        dequantize(scratch.floats());
        return manager.create(scratch.bytes(size() * Float.BYTES), shape, DataType.FLOAT32);
    }

    /**
     * Writes {@code ŵ} for every block, padding included, to {@code out} from index 0; large tensors
     * are split into contiguous block ranges across the common fork/join pool and the calling thread.
     */
    void dequantize(FloatBuffer out) {
        int blocks = absmax.blocks();
        int threads = ForkJoinPool.getCommonPoolParallelism() + 1;
        int tasks = Math.min(blocks / TASK_BLOCKS, TASKS_PER_THREAD * threads);
        if (tasks < 2) {
            dequantize(0, blocks, out);
            return;
        }
        IntStream.range(0, tasks).parallel()
                .forEach(t -> dequantize((int) ((long) blocks * t / tasks), (int) ((long) blocks * (t + 1) / tasks), out));
    }

    /**
     * Blocks {@code [from, to)}, a tile at a time: per block the 16 levels are scaled by {@code a'_b},
     * each byte's two nibbles pick from them into a small heap tile that stays in L1, and the tile is
     * copied to {@code out} in bulk, faster than storing float by float into a direct buffer.
     */
    private void dequantize(int from, int to, FloatBuffer out) {
        float[] tile = TILE.get();
        float[] levels = new float[16];
        byte[] packed = codes;
        for (int first = from; first < to; first += TILE_BLOCKS) {
            int last = Math.min(to, first + TILE_BLOCKS);
            for (int b = first; b < last; b++) {
                float a = absmax.get(b);
                for (int k = 0; k < 16; k++) {
                    levels[k] = Nf4.LEVELS[k] * a;
                }
                int in = b * (BLOCK / 2);
                int o = (b - first) * BLOCK;
                for (int j = 0; j < BLOCK / 2; j++) {
                    int pair = packed[in + j];
                    tile[o + 2 * j] = levels[(pair >> 4) & 15];
                    tile[o + 2 * j + 1] = levels[pair & 15];
                }
            }
            out.put(first * BLOCK, tile, 0, (last - first) * BLOCK);
        }
    }
}
