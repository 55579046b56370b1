package dev.loraplane.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loraplane.datasets.prepare.PreparedDataset;
import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.lora.LoraConfig;
import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import dev.loraplane.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import dev.loraplane.engine.model.Llama;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A run stopped at a checkpoint and resumed ends with the adapter an uninterrupted run makes. */
class ResumeTest {

    static final LoraConfig LORA = TrainerTest.LORA;

    @TempDir
    static Path dir;

    static PreparedDataset data;

    @BeforeAll
    static void prepare() throws Exception {
        TinyModel.write(Preset.TINY, dir.resolve("tiny"), 0);
        try (Tokenizer tokenizer = Tokenizer.load(dir.resolve("tiny"))) {
            data = TrainerTest.prepareData(dir, tokenizer, Facts.generate(48, 1));
        }
    }

    static final TrainingConfig SHORT = new TrainingConfig(1, 10, 2, 2, 3e-3, 3, TrainingConfig.Schedule.COSINE, 0,
            1.0, 0, 4, 11);

    @Test
    void resumingFromACheckpointContinuesTheSameRun() throws Exception {
        try (Llama model = Llama.load(dir.resolve("tiny"))) {
            float[] uninterrupted;
            try (LoraAdapter adapter = LoraAdapter.initialize("a", LORA, model, 3)) {
                new Trainer(model, adapter, SHORT, data.train(), List.of(), dir.resolve("run-a"), e -> {}).run();
                uninterrupted = flatten(adapter);
            }
            // Interrupted (as SIGTERM does) after its first step, then resumed from the files alone.
            try (LoraAdapter adapter = LoraAdapter.initialize("c", LORA, model, 3)) {
                Trainer interrupted = new Trainer(model, adapter, SHORT, data.train(), List.of(), dir.resolve("run-c"), e -> {});
                interrupted.requestStop();
                assertThat(interrupted.run()).isEqualTo(1);
            }
            Path checkpoint = dir.resolve("run-c/checkpoint-1");
            assertThat(checkpoint.resolve("adapter_model.safetensors")).exists();
            assertThat(checkpoint.resolve("optimizer.safetensors")).exists();
            try (LoraAdapter restored = LoraAdapter.fromCheckpoint("c", checkpoint, model)) {
                Trainer resumed = new Trainer(model, restored, SHORT, data.train(), List.of(), dir.resolve("run-c"), e -> {}).resume(checkpoint);
                assertThat(resumed.step()).isEqualTo(1);
                assertThat(resumed.run()).isEqualTo(10);
                float[] continued = flatten(restored);
                float worst = 0;
                for (int i = 0; i < continued.length; i++) {
                    worst = Math.max(worst, Math.abs(continued[i] - uninterrupted[i]));
                }
                assertThat(worst).as("max |resumed - uninterrupted|").isLessThanOrEqualTo(1e-5f);
            }
            assertThat(Files.list(dir.resolve("run-a")).map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("checkpoint-4", "checkpoint-8");
        }
    }

    @Test
    void aCheckpointOfAnotherSeedIsRefused() {
        try (Llama model = Llama.load(dir.resolve("tiny")); LoraAdapter adapter = LoraAdapter.initialize("d", LORA, model, 3)) {
            Trainer t = new Trainer(model, adapter, SHORT, data.train(), List.of(), dir.resolve("run-d"), e -> {});
            t.requestStop();
            t.run();
            TrainingConfig otherSeed = new TrainingConfig(1, 10, 2, 2, 3e-3, 3, TrainingConfig.Schedule.COSINE, 0.01, 1.0, 0, 4, 12);
            assertThatThrownBy(() -> new Trainer(model, adapter, otherSeed, data.train(), List.of(), null, e -> {})
                    .resume(dir.resolve("run-d/checkpoint-1"))).hasMessageContaining("seed 11, not 12");
        }
    }

    @Test
    void aNonFiniteLossStopsTheRunWithACode() {
        try (Llama model = Llama.load(dir.resolve("tiny")); LoraAdapter adapter = LoraAdapter.initialize("nan", LORA, model, 3)) {
            adapter.module(0, "q_proj").a().set(new ai.djl.ndarray.index.NDIndex("0, 0"), Float.NaN);
            Trainer trainer = new Trainer(model, adapter, SHORT, data.train(), List.of(), null, e -> {});
            assertThatThrownBy(trainer::run).isInstanceOfSatisfying(TrainingException.class,
                    e -> assertThat(e.code()).isEqualTo("loss_not_finite"))
                    .hasMessageContaining("became NaN at step 1");
        }
    }

    static float[] flatten(LoraAdapter adapter) {
        List<Float> all = new ArrayList<>();
        adapter.modules().entrySet().stream()
                .sorted(java.util.Map.Entry.comparingByKey(java.util.Comparator
                        .comparingInt(LoraAdapter.ModuleKey::layer).thenComparing(LoraAdapter.ModuleKey::module)))
                .forEach(e -> {
                    for (float v : e.getValue().a().toFloatArray()) {
                        all.add(v);
                    }
                    for (float v : e.getValue().b().toFloatArray()) {
                        all.add(v);
                    }
                });
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }
}
