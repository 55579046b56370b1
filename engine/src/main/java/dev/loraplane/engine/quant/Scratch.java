package dev.loraplane.engine.quant;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * One thread's reusable direct buffer for dequantized weights, grown to the largest tensor the
 * thread has expanded. PyTorch reads it in place ({@code from_blob}), so each forward pass
 * dequantizes without allocating.
 */
final class Scratch {

    private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);

    private ByteBuffer bytes = ByteBuffer.allocateDirect(0);
    private FloatBuffer floats = bytes.asFloatBuffer();

    private Scratch() {}

    /** The calling thread's buffer, with room for at least {@code count} floats. */
    static Scratch forCurrentThread(int count) {
        Scratch scratch = LOCAL.get();
        if (scratch.floats.capacity() < count) {
            scratch.bytes = ByteBuffer.allocateDirect(count * Float.BYTES).order(ByteOrder.nativeOrder());
            scratch.floats = scratch.bytes.asFloatBuffer();
        }
        return scratch;
    }

    /** The buffer as floats in native order, for writing by index. */
    FloatBuffer floats() {
        return floats;
    }

    /** The first {@code length} bytes, the exact extent PyTorch may read. */
    ByteBuffer bytes(int length) {
        return bytes.duplicate().limit(length);
    }
}
