package dev.loraplane.engine.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loraplane.engine.model.ModelConfig;
import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checking an adapter against the tiny base model's config.json alone (dim 128, 4 layers, 4 query
 * heads and 2 key/value heads of 32, so q_proj is 128×128 and v_proj 64×128; MLP 384).
 */
class PeftCheckpointTest {

    static final String QV = "[\"q_proj\", \"v_proj\"]";

    @TempDir
    Path tmp;

    ModelConfig base;

    @BeforeEach
    void writeTheBase() {
        TinyModel.write(Preset.TINY, tmp.resolve("tiny"), 0);
        base = ModelConfig.read(tmp.resolve("tiny/config.json"));
    }

    /** q_proj and v_proj of every layer at rank 4, shaped for the tiny model. */
    static PeftFixture qv(int r) {
        SplittableRandom random = new SplittableRandom(1);
        PeftFixture fixture = new PeftFixture();
        for (int layer = 0; layer < 4; layer++) {
            fixture.module(layer, "self_attn", "q_proj", r, 128, 128, random);
            fixture.module(layer, "self_attn", "v_proj", r, 128, 64, random);
        }
        return fixture;
    }

    private Path write(String name, PeftFixture fixture, String config) throws Exception {
        Path dir = tmp.resolve(name);
        fixture.write(dir, config);
        return dir;
    }

    @Test
    void anAdapterThatFitsOpensWithEveryModuleOfEveryLayer() throws Exception {
        PeftCheckpoint checkpoint = PeftCheckpoint.open(write("qv", qv(4), PeftFixture.config(4, 8, QV, false)), base);
        assertThat(checkpoint.config().r()).isEqualTo(4);
        assertThat(checkpoint.modules()).hasSize(8).startsWith(new LoraAdapter.ModuleKey(0, "q_proj"),
                new LoraAdapter.ModuleKey(0, "v_proj"));
    }

    @Test
    void groupedQueryAttentionMakesKeyAndValueNarrower() throws Exception {
        SplittableRandom random = new SplittableRandom(2);
        PeftFixture fullWidth = new PeftFixture();
        for (int layer = 0; layer < 4; layer++) {
            fullWidth.module(layer, "self_attn", "v_proj", 4, 128, 128, random);
        }
        Path dir = write("mha", fullWidth, PeftFixture.config(4, 8, "[\"v_proj\"]", false));
        assertThatThrownBy(() -> PeftCheckpoint.open(dir, base)).isInstanceOf(LoraException.class)
                .hasMessageContaining("base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight")
                .hasMessageContaining("has shape (128, 4), expected (64, 4)");
    }

    @Test
    void aRankOtherThanTheConfigsIsRefused() throws Exception {
        Path dir = write("r4", qv(4), PeftFixture.config(8, 16, QV, false));
        assertThatThrownBy(() -> PeftCheckpoint.open(dir, base))
                .hasMessageContaining("layers.0.self_attn.q_proj.lora_A.weight")
                .hasMessageContaining("has shape (4, 128), expected (8, 128)").hasMessageContaining("r = 8");
    }

    @Test
    void everyTensorMustBeAFactorOfATargetModuleOfALayerOfTheBase() throws Exception {
        SplittableRandom random = new SplittableRandom(3);
        assertThatThrownBy(() -> PeftCheckpoint.open(write("deep", qv(4).module(4, "self_attn", "q_proj", 4, 128, 128, random),
                PeftFixture.config(4, 8, QV, false)), base))
                .hasMessageContaining("layers.4.self_attn.q_proj").hasMessageContaining("has 4 layers");
        assertThatThrownBy(() -> PeftCheckpoint.open(write("head", qv(4).put("base_model.model.lm_head.lora_A.weight",
                new float[4 * 128], 4, 128), PeftFixture.config(4, 8, QV, false)), base))
                .hasMessageContaining("lm_head").hasMessageContaining("not a LoRA factor");
        assertThatThrownBy(() -> PeftCheckpoint.open(write("fused", qv(4).module(0, "self_attn", "qkv_proj", 4, 128, 256, random),
                PeftFixture.config(4, 8, QV, false)), base))
                .hasMessageContaining("qkv_proj is not a projection");
        assertThatThrownBy(() -> PeftCheckpoint.open(write("extra", qv(4).module(0, "self_attn", "k_proj", 4, 128, 64, random),
                PeftFixture.config(4, 8, QV, false)), base))
                .hasMessageContaining("k_proj is not in adapter_config.json's target_modules [q_proj, v_proj]");
        PeftFixture partial = qv(4);
        partial.values.remove("base_model.model.model.layers.3.self_attn.v_proj.lora_B.weight");
        assertThatThrownBy(() -> PeftCheckpoint.open(write("partial", partial, PeftFixture.config(4, 8, QV, false)), base))
                .hasMessageContaining("layers.3.self_attn.v_proj.lora_B.weight is missing");
    }

    @Test
    void aWeightsFileThatIsNotSafetensorsIsAnAdapterError() throws Exception {
        Path dir = write("garbage", qv(4), PeftFixture.config(4, 8, QV, false));
        Files.writeString(dir.resolve("adapter_model.safetensors"), "not safetensors at all");
        assertThatThrownBy(() -> PeftCheckpoint.open(dir, base)).isInstanceOf(LoraException.class)
                .hasMessageContaining("adapter_model.safetensors");
        Files.delete(dir.resolve("adapter_model.safetensors"));
        assertThatThrownBy(() -> PeftCheckpoint.open(dir, base)).isInstanceOf(LoraException.class)
                .hasMessageContaining("adapter_model.safetensors is missing");
    }
}
