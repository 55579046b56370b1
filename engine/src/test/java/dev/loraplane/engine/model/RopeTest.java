package dev.loraplane.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RopeTest {

    private static ModelConfig config(ModelConfig.RopeScaling scaling) {
        return new ModelConfig("LlamaForCausalLM", 4096, 14336, 32, 32, 8, 128, 128256, 131072, 1e-5, 500000.0,
                scaling, false, false, false, 0, 128000, List.of(128001));
    }

    @Test
    void defaultFrequenciesAreThetaToTheMinusTwoIOverD() {
        float[] inv = Rope.inverseFrequencies(config(null));
        assertThat(inv).hasSize(64);
        assertThat(inv[0]).isEqualTo(1f);
        assertThat(inv[1]).isEqualTo((float) Math.pow(500000.0, -2.0 / 128));
    }

    @Test
    void llama3ScalingDividesLongWavelengthsAndKeepsShortOnes() {
        float[] plain = Rope.inverseFrequencies(config(null));
        float[] scaled = Rope.inverseFrequencies(config(new ModelConfig.RopeScaling(8, 1, 4, 8192)));
        // Short wavelengths (< 8192/4 = 2048 positions) are untouched.
        assertThat(scaled[0]).isEqualTo(plain[0]);
        assertThat(scaled[10]).isEqualTo(plain[10]);
        // Long wavelengths (> 8192 positions) are divided by the factor.
        assertThat(scaled[63]).isEqualTo((float) (plain[63] / 8.0));
        // The band between is interpolated: strictly between the two.
        int mid = 0;
        for (int i = 0; i < 64; i++) {
            double wavelen = 2 * Math.PI / plain[i];
            if (wavelen > 2048 && wavelen < 8192) {
                mid = i;
                break;
            }
        }
        assertThat(mid).isPositive();
        assertThat(scaled[mid]).isLessThan(plain[mid]).isGreaterThan(plain[mid] / 8);
    }
}
