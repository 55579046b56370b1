package dev.loraplane.serving.adapters;

import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.lora.LoraConfig;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import java.nio.file.Path;
import java.util.List;

/** The TINY preset as the served base, and PEFT adapters for it saved by the engine's own writer. */
final class TinyBase {

    static final String NAME = Preset.TINY.modelName();

    private TinyBase() {}

    static Llama load(Path dir) {
        TinyModel.write(Preset.TINY, dir, 0);
        return Llama.load(dir);
    }

    /** Saves a q/v adapter of rank {@code r} whose lora_A weights are drawn from {@code seed}. */
    static Path adapter(Llama model, Path dir, int r, long seed) {
        LoraConfig config = new LoraConfig(r, 2.0 * r, 0, List.of("q_proj", "v_proj"), false, NAME);
        try (LoraAdapter adapter = LoraAdapter.initialize(dir.getFileName().toString(), config, model, seed)) {
            adapter.save(dir);
        }
        return dir;
    }

    /** Layer 0's q_proj lora_A, the weight tests compare versions by. */
    static float[] firstWeights(LoraAdapter adapter) {
        return adapter.module(0, "q_proj").a().toFloatArray();
    }
}
