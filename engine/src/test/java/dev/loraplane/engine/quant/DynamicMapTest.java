package dev.loraplane.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DynamicMapTest {

    @Test
    void holdsTwoHundredFiftySixSortedValuesFromMinusOneToOne() {
        float previous = Float.NEGATIVE_INFINITY;
        for (int code = 0; code < 256; code++) {
            float v = DynamicMap.value((byte) code);
            assertThat(v).isGreaterThan(previous);
            previous = v;
        }
        assertThat(DynamicMap.value((byte) 0)).isCloseTo(-0.99296875f, within(1e-6f));
        assertThat(DynamicMap.value((byte) 255)).isEqualTo(1f);
        assertThat(DynamicMap.value(DynamicMap.encode(0f))).isEqualTo(0f);
        // The top decade is spaced 0.9/64; the widest rounding error is half of that.
        assertThat(DynamicMap.MAX_ERROR).isCloseTo(0.0140625f / 2, within(1e-6f));
    }

    @Test
    void encodesToTheNearestValue() {
        Random random = new Random(3);
        for (int i = 0; i < 100_000; i++) {
            float v = random.nextFloat() * 2 - 1;
            float error = Math.abs(v - DynamicMap.value(DynamicMap.encode(v)));
            assertThat(error).isLessThanOrEqualTo(DynamicMap.MAX_ERROR);
            int code = DynamicMap.encode(v) & 0xff;
            if (code > 0) {
                assertThat(error).isLessThanOrEqualTo(Math.abs(v - DynamicMap.value((byte) (code - 1))));
            }
            if (code < 255) {
                assertThat(error).isLessThanOrEqualTo(Math.abs(v - DynamicMap.value((byte) (code + 1))));
            }
        }
    }
}
