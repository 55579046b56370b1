package dev.loraplane.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.loraplane.engine.SharedData;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference model stored as BF16 and F16, and split into shards, loads and computes the same
 * logits as the F32 model whose weights were rounded the same way.
 */
class DtypeLoadingTest {

    static final int[] TOKENS = {1, 421, 69, 408, 63, 241, 300, 12, 7, 99};

    @TempDir
    Path tmp;

    @Test
    void bf16AndF16CheckpointsLoadExactly() throws IOException {
        Path source = SharedData.require("models/stories260K-hf");
        SafeTensors f32 = SafeTensors.open(source.resolve("model.safetensors"));
        for (String dtype : List.of("BF16", "F16")) {
            Path half = Files.createDirectories(tmp.resolve(dtype));
            Path rounded = Files.createDirectories(tmp.resolve(dtype + "-as-f32"));
            Files.copy(source.resolve("config.json"), half.resolve("config.json"));
            Files.copy(source.resolve("config.json"), rounded.resolve("config.json"));
            Map<String, SafeTensorsWriter.F32Tensor> roundedTensors = new LinkedHashMap<>();
            Map<String, short[]> halfTensors = new LinkedHashMap<>();
            Map<String, long[]> shapes = new LinkedHashMap<>();
            for (String name : f32.tensors().keySet()) {
                float[] values = new float[(int) (f32.tensors().get(name).end() - f32.tensors().get(name).begin()) / 4];
                f32.bytes(name).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
                short[] bits = new short[values.length];
                float[] back = new float[values.length];
                if (dtype.equals("BF16")) {
                    for (int i = 0; i < values.length; i++) {
                        bits[i] = (short) (Float.floatToRawIntBits(values[i]) >>> 16);
                        back[i] = Float.intBitsToFloat((bits[i] & 0xffff) << 16);
                    }
                } else {
                    // IEEE half rounding through libtorch; the loader must read these bits back exactly.
                    try (NDManager m = NDManager.newBaseManager()) {
                        NDArray half16 = m.create(values).toType(DataType.FLOAT16, false);
                        half16.toByteBuffer().order(ByteOrder.nativeOrder()).asShortBuffer().get(bits);
                        back = half16.toType(DataType.FLOAT32, false).toFloatArray();
                    }
                }
                halfTensors.put(name, bits);
                shapes.put(name, f32.tensors().get(name).shape());
                roundedTensors.put(name, SafeTensorsWriter.F32Tensor.of(f32.tensors().get(name).shape(), back));
            }
            writeHalf(half.resolve("model.safetensors"), dtype, halfTensors, shapes);
            SafeTensorsWriter.write(rounded.resolve("model.safetensors"), roundedTensors);
            try (Llama a = Llama.load(half); Llama b = Llama.load(rounded);
                    NDManager ma = a.manager().newSubManager(); NDManager mb = b.manager().newSubManager()) {
                assertThat(a.logits(ma, TOKENS, Adapters.NONE).toFloatArray()).as(dtype)
                        .containsExactly(b.logits(mb, TOKENS, Adapters.NONE).toFloatArray());
            }
        }
    }

    @Test
    void aShardedCheckpointLoadsThroughItsIndex() throws IOException {
        Path source = SharedData.require("models/stories260K-hf");
        SafeTensors f32 = SafeTensors.open(source.resolve("model.safetensors"));
        Path sharded = Files.createDirectories(tmp.resolve("sharded"));
        Files.copy(source.resolve("config.json"), sharded.resolve("config.json"));
        Map<String, SafeTensorsWriter.F32Tensor> first = new LinkedHashMap<>();
        Map<String, SafeTensorsWriter.F32Tensor> second = new LinkedHashMap<>();
        StringBuilder index = new StringBuilder("{\"metadata\": {}, \"weight_map\": {");
        for (String name : f32.tensors().keySet()) {
            float[] values = new float[(int) (f32.tensors().get(name).end() - f32.tensors().get(name).begin()) / 4];
            f32.bytes(name).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            boolean early = name.startsWith("model.layers.0.") || name.startsWith("model.layers.1.") || name.startsWith("model.embed");
            (early ? first : second).put(name, SafeTensorsWriter.F32Tensor.of(f32.tensors().get(name).shape(), values));
            index.append(index.charAt(index.length() - 1) == '{' ? "" : ",").append('"').append(name).append("\": \"")
                    .append(early ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors").append('"');
        }
        index.append("}}");
        SafeTensorsWriter.write(sharded.resolve("model-00001-of-00002.safetensors"), first);
        SafeTensorsWriter.write(sharded.resolve("model-00002-of-00002.safetensors"), second);
        Files.writeString(sharded.resolve("model.safetensors.index.json"), index);
        try (Llama a = Llama.load(sharded); Llama b = Llama.load(source);
                NDManager ma = a.manager().newSubManager(); NDManager mb = b.manager().newSubManager()) {
            assertThat(a.logits(ma, TOKENS, Adapters.NONE).toFloatArray())
                    .containsExactly(b.logits(mb, TOKENS, Adapters.NONE).toFloatArray());
        }
    }

    private static void writeHalf(Path file, String dtype, Map<String, short[]> tensors, Map<String, long[]> shapes) throws IOException {
        StringBuilder header = new StringBuilder("{");
        long offset = 0;
        for (Map.Entry<String, short[]> e : tensors.entrySet()) {
            StringBuilder shape = new StringBuilder();
            for (long d : shapes.get(e.getKey())) {
                shape.append(shape.length() == 0 ? "" : ",").append(d);
            }
            long end = offset + e.getValue().length * 2L;
            header.append(header.length() == 1 ? "" : ",").append('"').append(e.getKey()).append("\":{\"dtype\":\"")
                    .append(dtype).append("\",\"shape\":[").append(shape).append("],\"data_offsets\":[")
                    .append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        header.append('}');
        while (header.length() % 8 != 0) {
            header.append(' ');
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            out.write(json);
            for (short[] values : tensors.values()) {
                ByteBuffer buffer = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
                buffer.asShortBuffer().put(values);
                out.write(buffer.array());
            }
        }
    }
}
