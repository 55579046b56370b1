package dev.loraplane.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QuantizedAbsmaxTest {

    @Test
    void eachConstantIsWithinTheDynamicMapsRoundingOfItsBlockScale() {
        float[] absmax = new float[1000];   // 3 full blocks of 256 and a partial one
        float[] draws = Nf4Tensors.gaussian(absmax.length, 11);
        for (int b = 0; b < absmax.length; b++) {
            absmax[b] = 2.5f + Math.abs(draws[b]);
        }
        QuantizedAbsmax q = QuantizedAbsmax.quantize(absmax);

        assertThat(q.codes()).hasSize(1000);
        assertThat(q.scales()).hasSize(4);
        for (int b = 0; b < absmax.length; b++) {
            float bound = DynamicMap.MAX_ERROR * q.scales()[b / QuantizedAbsmax.BLOCK] + 1e-6f * absmax[b];
            assertThat(Math.abs(q.get(b) - absmax[b])).as("block %d", b).isLessThanOrEqualTo(bound);
        }
        assertThat(q.residentBytes()).isEqualTo(1000 + 4 * 4 + 4);
    }

    @Test
    void equalConstantsComeBackExactly() {
        float[] absmax = {0.75f, 0.75f, 0.75f};
        QuantizedAbsmax q = QuantizedAbsmax.quantize(absmax);

        for (int b = 0; b < absmax.length; b++) {
            assertThat(q.get(b)).isEqualTo(0.75f);
        }
    }
}
