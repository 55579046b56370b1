package dev.loraplane.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loraplane.engine.lora.LoraConfig;
import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What config.json alone says about the weights. */
class ModelConfigTest {

    @TempDir
    Path dir;

    @Test
    void projectionShapesFromTheConfigAreTheShapesTheWeightsLoadWith() {
        TinyModel.write(Preset.TINY, dir, 0);
        ModelConfig config = ModelConfig.read(dir.resolve("config.json"));
        assertThat(config.projectionShape("k_proj")).as("two key/value heads of 32").containsExactly(64, 128);
        try (Llama model = Llama.load(dir)) {
            for (LayerWeights layer : model.weights().layers()) {
                for (String module : LoraConfig.MODULES) {
                    Linear weight = layer.projections().get(module);
                    assertThat(config.projectionShape(module)).as(module)
                            .containsExactly(weight.outFeatures(), weight.inFeatures());
                }
            }
        }
        assertThatThrownBy(() -> config.projectionShape("lm_head")).hasMessageContaining("'lm_head' is not a projection");
    }
}
