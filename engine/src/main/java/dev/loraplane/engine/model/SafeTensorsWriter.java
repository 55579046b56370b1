package dev.loraplane.engine.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Writes a {@code .safetensors} file of float32 tensors, the layout {@link SafeTensors} reads: an
 * 8-byte little-endian header length, the JSON header padded with spaces to a multiple of 8 bytes
 * ({@code __metadata__} is {@code {"format": "pt"}}, as PyTorch's writer sets it), then each tensor's
 * little-endian bytes, tensors sorted by name. The same tensors always give the same bytes.
 */
public final class SafeTensorsWriter {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK_FLOATS = 1 << 16;

    private SafeTensorsWriter() {}

    /**
     * A float32 tensor to write. Its values, row-major, are asked for only when its turn comes, so a
     * large checkpoint never needs all of its tensors in memory at once.
     */
    public record F32Tensor(long[] shape, Supplier<float[]> values) {

        public F32Tensor {
            shape = shape.clone();
        }

        public static F32Tensor of(long[] shape, float[] values) {
            return new F32Tensor(shape, () -> values);
        }

        long elements() {
            return Arrays.stream(shape).reduce(1, Math::multiplyExact);
        }
    }

    /** Writes {@code tensors} to {@code file}, replacing it. */
    public static void write(Path file, Map<String, F32Tensor> tensors) {
        Map<String, F32Tensor> sorted = new TreeMap<>(tensors);
        byte[] header = header(sorted);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(out, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
            writeFully(out, ByteBuffer.wrap(header));
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (Map.Entry<String, F32Tensor> entry : sorted.entrySet()) {
                float[] values = entry.getValue().values().get();
                if (values.length != entry.getValue().elements()) {
                    throw new IllegalArgumentException("tensor " + entry.getKey() + " has " + values.length
                            + " values but its shape " + Arrays.toString(entry.getValue().shape()) + " needs "
                            + entry.getValue().elements());
                }
                for (int from = 0; from < values.length; from += CHUNK_FLOATS) {
                    int to = Math.min(values.length, from + CHUNK_FLOATS);
                    chunk.clear();
                    chunk.asFloatBuffer().put(values, from, to - from);
                    chunk.limit((to - from) * Float.BYTES);
                    writeFully(out, chunk);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** The JSON header, padded with spaces so the data section starts 8-byte aligned. */
    private static byte[] header(Map<String, F32Tensor> sorted) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (Map.Entry<String, F32Tensor> entry : sorted.entrySet()) {
            long end = offset + entry.getValue().elements() * Float.BYTES;
            ObjectNode info = root.putObject(entry.getKey());
            info.put("dtype", "F32");
            Arrays.stream(entry.getValue().shape()).forEach(info.putArray("shape")::add);
            info.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }
}
