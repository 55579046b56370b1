package dev.loraplane.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One {@code .safetensors} file, memory-mapped.
 *
 * <p>Layout: an 8-byte little-endian header length N, N bytes of JSON {@code {name: {dtype, shape,
 * data_offsets: [begin, end]}, "__metadata__": {...}}}, then the tensors' raw little-endian bytes,
 * offsets relative to the end of the header. Each tensor is mapped on its own (a single mapping
 * cannot exceed 2 GiB, a shard can) and handed to PyTorch as a view of the mapping ({@code
 * from_blob}), so weights are never copied through the Java heap.
 */
public final class SafeTensors {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    private final Path file;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    /** Where one tensor lies in the file. */
    public record TensorInfo(String name, String dtype, long[] shape, long begin, long end) {}

    private SafeTensors(Path file, long dataStart, Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.file = file;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Maps the file and reads its header, checking every tensor lies within the file. */
    public static SafeTensors open(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new ModelLoadException(file + ": truncated: " + size + " bytes, no safetensors header");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength <= 0 || headerLength > MAX_HEADER || 8 + headerLength > size) {
                throw new ModelLoadException(file + ": header length " + headerLength + " does not fit a file of "
                        + size + " bytes: truncated or not a safetensors file");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            channel.read(header, 8);
            long dataStart = 8 + headerLength;
            long dataBytes = size - dataStart;
            JsonNode root = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8));
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                if (entry.getKey().equals("__metadata__")) {
                    entry.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                TensorInfo info = tensorInfo(file, entry.getKey(), entry.getValue());
                if (info.end() > dataBytes) {
                    throw new ModelLoadException(file + ": tensor " + info.name() + " ends at byte " + info.end()
                            + " of the data section but the file holds only " + dataBytes
                            + " data bytes: the file is truncated");
                }
                tensors.put(info.name(), info);
            }
            return new SafeTensors(file, dataStart, tensors, metadata);
        } catch (IOException e) {
            throw new ModelLoadException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static TensorInfo tensorInfo(Path file, String name, JsonNode node) {
        JsonNode shapeNode = node.get("shape");
        JsonNode offsets = node.get("data_offsets");
        String dtype = node.path("dtype").asText();
        if (shapeNode == null || offsets == null || offsets.size() != 2 || dtype.isEmpty()) {
            throw new ModelLoadException(file + ": tensor " + name + " has a malformed header entry: " + node);
        }
        long[] shape = new long[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong();
            elements *= shape[i];
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        long expected = elements * bytesPer(file, name, dtype);
        if (end - begin != expected) {
            throw new ModelLoadException(file + ": tensor " + name + " spans " + (end - begin) + " bytes but "
                    + dtype + " " + new Shape(shape) + " needs " + expected);
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static int bytesPer(Path file, String name, String dtype) {
        return switch (dtype) {
            case "F32", "I32" -> 4;
            case "F16", "BF16" -> 2;
            case "I64", "F64" -> 8;
            case "U8", "I8", "BOOL" -> 1;
            default -> throw new ModelLoadException(file + ": tensor " + name + " has dtype " + dtype
                    + "; supported: F32, F16, BF16, F64, I64, I32, I8, U8, BOOL");
        };
    }

    static DataType djlType(String dtype) {
        return switch (dtype) {
            case "F32" -> DataType.FLOAT32;
            case "F16" -> DataType.FLOAT16;
            case "BF16" -> DataType.BFLOAT16;
            case "F64" -> DataType.FLOAT64;
            case "I64" -> DataType.INT64;
            case "I32" -> DataType.INT32;
            case "I8" -> DataType.INT8;
            case "U8" -> DataType.UINT8;
            case "BOOL" -> DataType.BOOLEAN;
            default -> throw new IllegalArgumentException("dtype " + dtype);
        };
    }

    public Path file() {
        return file;
    }

    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** The raw bytes of one tensor, a read-only mapping of its part of the file. */
    public ByteBuffer bytes(String name) {
        TensorInfo info = info(name);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + info.begin(), info.end() - info.begin())
                    .order(ByteOrder.nativeOrder());
        } catch (IOException e) {
            throw new ModelLoadException(file + ": cannot map tensor " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * One tensor as an NDArray, sharing memory with the mapping: read-only, so callers convert or copy
     * it before any in-place operation. BF16 is the exception: it arrives as float32, widened in one
     * pass into off-heap memory, because this libtorch build aborts the process when handed a
     * bfloat16 buffer. The widening is exact (a BF16 value is the top half of its float32).
     */
    public NDArray load(String name, NDManager manager) {
        TensorInfo info = info(name);
        Shape shape = new Shape(info.shape());
        if (info.dtype().equals("BF16")) {
            return manager.create(widenBf16(bytes(name)), shape, DataType.FLOAT32);
        }
        return manager.create(bytes(name), shape, djlType(info.dtype()));
    }

    private static ByteBuffer widenBf16(ByteBuffer bf16) {
        java.nio.ShortBuffer in = bf16.order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        ByteBuffer out = ByteBuffer.allocateDirect(in.remaining() * 4).order(ByteOrder.nativeOrder());
        java.nio.IntBuffer bits = out.asIntBuffer();
        while (in.hasRemaining()) {
            bits.put((in.get() & 0xffff) << 16);
        }
        return out;
    }

    private TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new ModelLoadException(file + ": no tensor named " + name);
        }
        return info;
    }
}
