package dev.loraplane.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Nf4Test {

    @Test
    void theSixteenLevelsAreQloraNormalFloat() {
        assertThat(Nf4.level(0)).isEqualTo(-1f);
        assertThat(Nf4.level(7)).isEqualTo(0f);
        assertThat(Nf4.level(15)).isEqualTo(1f);
        assertThat(Nf4.level(1)).isEqualTo(-0.6961928009986877f);
        assertThat(Nf4.level(8)).isEqualTo(0.07958029955625534f);
        for (int c = 0; c + 1 < 16; c++) {
            assertThat(Nf4.level(c)).isLessThan(Nf4.level(c + 1));
        }
    }

    @Test
    void everyLevelEncodesToItsOwnCode() {
        for (int c = 0; c < 16; c++) {
            assertThat(Nf4.encode(Nf4.level(c))).as("code %d", c).isEqualTo(c);
        }
    }

    @Test
    void theLevelsRoundTripExactlyThroughATensor() {
        // Every block's absmax is 1, so the double-quantized absmax is exactly the mean, 1.
        float[] values = new float[4 * Nf4Tensor.BLOCK];
        for (int i = 0; i < values.length; i++) {
            values[i] = Nf4.level((i * 7) % 16);
        }
        Nf4Tensor tensor = Nf4Tensor.quantize(values, new Shape(4, Nf4Tensor.BLOCK));

        assertThat(Nf4Tensors.dequantized(tensor)).isEqualTo(values);
    }

    @Test
    void encodePicksTheNearestLevel() {
        Random random = new Random(7);
        for (int i = 0; i < 100_000; i++) {
            float v = random.nextFloat() * 2 - 1;
            float chosen = Math.abs(v - Nf4.level(Nf4.encode(v)));
            for (int c = 0; c < 16; c++) {
                assertThat(chosen).as("v=%s", v).isLessThanOrEqualTo(Math.abs(v - Nf4.level(c)));
            }
        }
    }
}
