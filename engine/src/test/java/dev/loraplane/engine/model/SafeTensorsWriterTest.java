package dev.loraplane.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loraplane.engine.model.SafeTensorsWriter.F32Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the writer writes, the reader reads back bit for bit. */
class SafeTensorsWriterTest {

    @TempDir
    Path dir;

    @Test
    void everyFloatReadsBackBitIdentical() {
        SplittableRandom random = new SplittableRandom(3);
        float[] big = new float[3 * 70_001];
        for (int i = 0; i < big.length; i++) {
            big[i] = Float.intBitsToFloat(random.nextInt());
        }
        float[] special = {0f, -0f, Float.NaN, Float.intBitsToFloat(0x7fc00001), Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MAX_VALUE, 1e-40f};
        Map<String, F32Tensor> tensors = new LinkedHashMap<>();
        tensors.put("z.big", F32Tensor.of(new long[] {3, 70_001}, big));
        tensors.put("a.special", F32Tensor.of(new long[] {special.length}, special));
        tensors.put("m.scalar", F32Tensor.of(new long[] {}, new float[] {42f}));
        Path file = dir.resolve("t.safetensors");
        SafeTensorsWriter.write(file, tensors);

        SafeTensors read = SafeTensors.open(file);
        assertThat(read.metadata()).containsExactly(Map.entry("format", "pt"));
        assertThat(read.tensors().keySet()).containsExactly("a.special", "m.scalar", "z.big");
        assertThat(read.tensors().get("z.big").shape()).containsExactly(3, 70_001);
        assertThat(read.tensors().get("m.scalar").shape()).isEmpty();
        assertBits(read, "z.big", big);
        assertBits(read, "a.special", special);
        assertBits(read, "m.scalar", new float[] {42f});
    }

    @Test
    void theHeaderIsPaddedWithSpacesToEightBytes() throws Exception {
        Path file = dir.resolve("one.safetensors");
        SafeTensorsWriter.write(file, Map.of("w", F32Tensor.of(new long[] {1}, new float[] {1f})));
        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLength % 8).isZero();
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        assertThat(header).startsWith("{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[1],"
                + "\"data_offsets\":[0,4]}}");
        assertThat(header.substring(header.lastIndexOf('}') + 1)).isBlank();
        assertThat(bytes).hasSize(8 + (int) headerLength + 4);
    }

    @Test
    void valuesThatDoNotFillTheShapeAreRefused() {
        Path file = dir.resolve("bad.safetensors");
        assertThatThrownBy(() -> SafeTensorsWriter.write(file, Map.of("w", F32Tensor.of(new long[] {2, 3}, new float[5]))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tensor w has 5 values but its shape [2, 3] needs 6");
    }

    private static void assertBits(SafeTensors file, String name, float[] expected) {
        IntBuffer stored = file.bytes(name).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        assertThat(stored.remaining()).isEqualTo(expected.length);
        for (int i = 0; i < expected.length; i++) {
            int actual = stored.get(i);
            if (actual != Float.floatToRawIntBits(expected[i])) {
                throw new AssertionError(name + "[" + i + "]: bits " + Integer.toHexString(actual) + ", expected "
                        + Integer.toHexString(Float.floatToRawIntBits(expected[i])));
            }
        }
    }
}
