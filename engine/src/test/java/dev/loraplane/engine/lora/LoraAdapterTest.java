package dev.loraplane.engine.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loraplane.engine.SharedData;
import dev.loraplane.engine.model.Adapters;
import dev.loraplane.engine.model.DenseLinear;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.model.StepInputs;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LoRA on the trained stories260K model (dim 64, 5 layers, q 64×64, k/v 32×64, MLP 172). */
class LoraAdapterTest {

    static final int[] PROMPT = {1, 421, 69, 408, 63, 241, 300, 12};

    static Llama model;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        model = Llama.load(SharedData.require("models/stories260K-hf"));
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    /** q_proj and v_proj on every layer, rank 4, alpha 8: PEFT's most common recipe. */
    private Path qvFixture(String name, long seed, int r, double alpha, boolean rslora) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        PeftFixture fixture = new PeftFixture();
        for (int layer = 0; layer < 5; layer++) {
            fixture.module(layer, "self_attn", "q_proj", r, 64, 64, random);
            fixture.module(layer, "self_attn", "v_proj", r, 64, 32, random);
        }
        Path dir = tmp.resolve(name);
        fixture.write(dir, PeftFixture.config(r, alpha, "[\"q_proj\", \"v_proj\"]", rslora));
        return dir;
    }

    @Test
    void peftLayoutLoadsAndEachProjectionFollowsTheLoraFormula() throws Exception {
        try (LoraAdapter adapter = LoraAdapter.fromCheckpoint("qv", qvFixture("qv", 7, 4, 8, false), model);
                NDManager m = model.manager().newSubManager()) {
            assertThat(adapter.config().scaling()).isEqualTo(2.0);
            assertThat(adapter.modules()).hasSize(10);
            float[] x = PeftFixture.random(3 * 64, new SplittableRandom(1), 1.0);
            DenseLinear base = (DenseLinear) model.weights().layers().get(2).qProj();
            try (LoraBatch batch = LoraBatch.single(adapter, 1, m)) {
                float[] y = batch.project(2, "q_proj", base, m.create(x, new Shape(1, 3, 64))).toFloatArray();

                float[] w = base.weight().toFloatArray();                    // [64, 64]
                float[] a = adapter.module(2, "q_proj").a().toFloatArray();  // [4, 64]
                float[] b = adapter.module(2, "q_proj").b().toFloatArray();  // [64, 4]
                for (int t = 0; t < 3; t++) {
                    for (int o = 0; o < 64; o++) {
                        double expected = 0;
                        for (int i = 0; i < 64; i++) {
                            expected += x[t * 64 + i] * w[o * 64 + i];
                        }
                        for (int k = 0; k < 4; k++) {
                            double xa = 0;
                            for (int i = 0; i < 64; i++) {
                                xa += x[t * 64 + i] * a[k * 64 + i];
                            }
                            expected += 2.0 * xa * b[o * 4 + k];
                        }
                        assertThat((double) y[t * 64 + o]).as("token %d output %d", t, o).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4));
                    }
                }
                // Modules the adapter leaves alone are the base projection, exactly.
                DenseLinear k = (DenseLinear) model.weights().layers().get(2).kProj();
                NDArray xs = m.create(x, new Shape(1, 3, 64));
                assertThat(batch.project(2, "k_proj", k, xs).toFloatArray()).containsExactly(k.forward(xs).toFloatArray());
            }
        }
    }

    @Test
    void anAdapterChangesTheLogitsAndRsloraScalesByRootR() throws Exception {
        try (LoraAdapter plain = LoraAdapter.fromCheckpoint("plain", qvFixture("plain", 3, 4, 8, false), model);
                LoraAdapter rs = LoraAdapter.fromCheckpoint("rs", qvFixture("rs", 3, 4, 8, true), model);
                NDManager m = model.manager().newSubManager()) {
            assertThat(rs.config().scaling()).isEqualTo(4.0);
            float[] base = model.logits(m, PROMPT, Adapters.NONE).toFloatArray();
            float[] withPlain = model.logits(m, PROMPT, LoraBatch.single(plain, 1, m)).toFloatArray();
            float[] withRs = model.logits(m, PROMPT, LoraBatch.single(rs, 1, m)).toFloatArray();
            assertThat(maxDiff(base, withPlain)).isGreaterThan(0.1f);
            assertThat(maxDiff(withPlain, withRs)).isGreaterThan(0.1f);
        }
    }

    @Test
    void anAdapterSavedAndLoadedAgainGivesBitIdenticalLogits() throws Exception {
        try (LoraAdapter original = LoraAdapter.fromCheckpoint("qv", qvFixture("qv", 9, 4, 8, true), model);
                NDManager m = model.manager().newSubManager()) {
            original.save(tmp.resolve("saved"));
            try (LoraAdapter reloaded = LoraAdapter.fromCheckpoint("qv", tmp.resolve("saved"), model)) {
                assertThat(reloaded.config()).isEqualTo(original.config());
                assertThat(model.logits(m, PROMPT, LoraBatch.single(reloaded, 1, m)).toFloatArray())
                        .containsExactly(model.logits(m, PROMPT, LoraBatch.single(original, 1, m)).toFloatArray());
            }
            String config = java.nio.file.Files.readString(tmp.resolve("saved/adapter_config.json"));
            assertThat(config).contains("\"peft_type\" : \"LORA\"", "\"task_type\" : \"CAUSAL_LM\"", "\"use_rslora\" : true",
                    "\"target_modules\" : [ \"q_proj\", \"v_proj\" ]", "\"bias\" : \"none\"");
        }
    }

    @Test
    void aMergedCheckpointRunsWithoutLoraAndGivesTheAdaptedLogits() throws Exception {
        try (LoraAdapter adapter = LoraAdapter.fromCheckpoint("qv", qvFixture("qv", 13, 4, 8, false), model);
                NDManager m = model.manager().newSubManager()) {
            AdapterMerge.write(SharedData.require("models/stories260K-hf"), adapter, tmp.resolve("merged"), m);
            float[] adapted = model.logits(m, PROMPT, LoraBatch.single(adapter, 1, m)).toFloatArray();
            try (Llama merged = Llama.load(tmp.resolve("merged"));
                    NDManager mm = merged.manager().newSubManager()) {
                float[] mergedLogits = merged.logits(mm, PROMPT, Adapters.NONE).toFloatArray();
                assertThat(maxDiff(adapted, mergedLogits)).isLessThan(1e-4f);
                assertThat(maxDiff(mergedLogits, model.logits(m, PROMPT, Adapters.NONE).toFloatArray())).isGreaterThan(0.1f);
            }
        }
    }

    @Test
    void aFreshAdapterStartsEqualToTheBase() {
        LoraConfig config = new LoraConfig(8, 16, 0.05, LoraConfig.MODULES, false, "stories260K");
        try (LoraAdapter adapter = LoraAdapter.initialize("fresh", config, model, 42);
                NDManager m = model.manager().newSubManager()) {
            float[] a = adapter.module(0, "gate_proj").a().toFloatArray();
            float bound = (float) (1 / Math.sqrt(64));
            for (float v : a) {
                assertThat(Math.abs(v)).isLessThanOrEqualTo(bound);
            }
            assertThat(maxDiff(a, new float[a.length])).isGreaterThan(0f);
            assertThat(adapter.module(4, "down_proj").b().toFloatArray()).containsOnly(0f);
            assertThat(model.logits(m, PROMPT, LoraBatch.single(adapter, 1, m)).toFloatArray())
                    .containsExactly(model.logits(m, PROMPT, Adapters.NONE).toFloatArray());
        }
    }

    @Test
    void differentAdaptersInOneBatchMatchSeparateRuns() throws Exception {
        SplittableRandom random = new SplittableRandom(11);
        PeftFixture mlp = new PeftFixture();
        for (int layer = 0; layer < 5; layer++) {
            mlp.module(layer, "mlp", "gate_proj", 2, 64, 172, random);
            mlp.module(layer, "mlp", "down_proj", 2, 172, 64, random);
        }
        mlp.write(tmp.resolve("mlp"), PeftFixture.config(2, 4, "[\"gate_proj\", \"down_proj\"]", false));
        int[][] prompts = {{1, 5, 9, 300}, {1, 77}, {1, 421, 69, 408, 63, 241}};
        try (LoraAdapter qv = LoraAdapter.fromCheckpoint("qv", qvFixture("qv", 5, 4, 8, false), model);
                LoraAdapter gd = LoraAdapter.fromCheckpoint("gd", tmp.resolve("mlp"), model);
                NDManager m = model.manager().newSubManager()) {
            int longest = 6;
            long[] ids = new long[3 * longest];
            int[] pads = new int[3];
            for (int b = 0; b < 3; b++) {
                pads[b] = longest - prompts[b].length;
                for (int i = 0; i < prompts[b].length; i++) {
                    ids[b * longest + pads[b] + i] = prompts[b][i];
                }
            }
            StepInputs in = StepInputs.leftPadded(m, ids, longest, pads, 0, model.config());
            BatchMapping mapping = new BatchMapping(new int[] {1, BatchMapping.NO_ADAPTER, 0});
            try (LoraBatch batch = new LoraBatch(List.of(qv, gd), mapping, m);
                    LoraBatch gathered = new LoraBatch(List.of(qv, gd), mapping, m, new LoraBatch.Strategy(0))) {
                float[] mixed = model.forward(in.inputIds(), in.positions(), in.mask(), null, batch).toFloatArray();
                // Side by side (few columns) and gathered per row (many) are the same update, summed
                // in another order by GEMMs of other shapes.
                float[] perRow = model.forward(in.inputIds(), in.positions(), in.mask(), null, gathered).toFloatArray();
                assertThat(maxDiff(mixed, perRow)).isLessThan(1e-4f);
                Adapters[] alone = {LoraBatch.single(gd, 1, m), Adapters.NONE, LoraBatch.single(qv, 1, m)};
                for (int b = 0; b < 3; b++) {
                    float[] expected = model.logits(m, prompts[b], alone[b]).toFloatArray();
                    int vocab = 512;
                    float[] lastExpected = java.util.Arrays.copyOfRange(expected, expected.length - vocab, expected.length);
                    int row = (b * longest + longest - 1) * vocab;
                    float[] lastMixed = java.util.Arrays.copyOfRange(mixed, row, row + vocab);
                    assertThat(maxDiff(lastExpected, lastMixed)).as("row %d", b).isLessThan(1e-4f);
                }
            }
        }
    }

    @Test
    void unsupportedPeftFeaturesAreRefusedByName() throws Exception {
        Path dir = qvFixture("dora", 1, 4, 8, false);
        java.nio.file.Files.writeString(dir.resolve("adapter_config.json"),
                PeftFixture.config(4, 8, "[\"q_proj\", \"v_proj\"]", false).replace("\"use_dora\": false", "\"use_dora\": true"));
        assertThatThrownBy(() -> LoraAdapter.fromCheckpoint("dora", dir, model))
                .isInstanceOf(LoraException.class).hasMessageContaining("use_dora").hasMessageContaining("not supported");
        java.nio.file.Files.writeString(dir.resolve("adapter_config.json"),
                PeftFixture.config(4, 8, "[\"q_proj\", \"v_proj\"]", false).replace("\"rank_pattern\": {}", "\"rank_pattern\": {\"q_proj\": 8}"));
        assertThatThrownBy(() -> LoraAdapter.fromCheckpoint("ranks", dir, model)).hasMessageContaining("rank_pattern");
    }

    @Test
    void anAdapterThatDoesNotFitTheModelIsRefusedWithTheTensorAndShapes() throws Exception {
        Path dir = qvFixture("r4", 1, 4, 8, false);
        // The config claims rank 8 while the tensors are rank 4.
        java.nio.file.Files.writeString(dir.resolve("adapter_config.json"), PeftFixture.config(8, 16, "[\"q_proj\", \"v_proj\"]", false));
        assertThatThrownBy(() -> LoraAdapter.fromCheckpoint("r8", dir, model))
                .hasMessageContaining("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight")
                .hasMessageContaining("(4, 64)").hasMessageContaining("expected (8, 64)");
        // An adapter for a wider model: q_proj in = 128.
        SplittableRandom random = new SplittableRandom(2);
        PeftFixture wide = new PeftFixture();
        for (int layer = 0; layer < 5; layer++) {
            wide.module(layer, "self_attn", "q_proj", 4, 128, 128, random);
        }
        wide.write(tmp.resolve("wide"), PeftFixture.config(4, 8, "[\"q_proj\"]", false));
        assertThatThrownBy(() -> LoraAdapter.fromCheckpoint("wide", tmp.resolve("wide"), model))
                .hasMessageContaining("has shape (4, 128), expected (4, 64)");
        // Tensors for modules the config does not list.
        qvFixture("extra", 1, 4, 8, false);
        java.nio.file.Files.writeString(tmp.resolve("extra/adapter_config.json"), PeftFixture.config(4, 8, "[\"q_proj\"]", false));
        assertThatThrownBy(() -> LoraAdapter.fromCheckpoint("extra", tmp.resolve("extra"), model))
                .hasMessageContaining("not used").hasMessageContaining("v_proj");
    }

    @Test
    void targetModulesMayBeAPeftRegex() throws Exception {
        Path dir = qvFixture("regex", 1, 4, 8, false);
        java.nio.file.Files.writeString(dir.resolve("adapter_config.json"),
                PeftFixture.config(4, 8, "\".*\\\\.(q_proj|v_proj)\"", false));
        try (LoraAdapter adapter = LoraAdapter.fromCheckpoint("regex", dir, model)) {
            assertThat(adapter.config().targetModules()).containsExactly("q_proj", "v_proj");
        }
    }

    static float maxDiff(float[] a, float[] b) {
        float worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }
}
