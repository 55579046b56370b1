package dev.loraplane.serving.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.lora.LoraConfig;
import dev.loraplane.engine.lora.LoraException;
import dev.loraplane.engine.lora.PeftConfig;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.model.SafeTensorsWriter;
import dev.loraplane.engine.model.SafeTensorsWriter.F32Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the loader refuses, and how it says so. */
class AdapterLoaderTest {

    @TempDir
    static Path tmp;

    static Llama model;
    static AdapterLoader loader;

    @BeforeAll
    static void base() {
        model = TinyBase.load(tmp.resolve("tiny"));
        loader = new AdapterLoader(TinyBase.NAME, model, AdapterLoader.DEFAULT_MAX_RANK);
    }

    @AfterAll
    static void closeBase() {
        model.close();
    }

    static AdapterVersion local(String name, Path dir) {
        return new AdapterVersion(name, 1, "", dir.toString(), () -> dir);
    }

    @Test
    void anAdapterForTheServedBaseLoads() {
        Path dir = TinyBase.adapter(model, tmp.resolve("ok"), 64, 1);
        try (LoraAdapter adapter = loader.load(local("ok", dir))) {
            assertThat(adapter.config().r()).isEqualTo(64);
            assertThat(adapter.name()).isEqualTo("ok");
        }
    }

    @Test
    void aRankAboveTheMaximumIsRefusedNamingBoth() {
        Path dir = TinyBase.adapter(model, tmp.resolve("r96"), 96, 1);
        assertThatThrownBy(() -> loader.load(local("big", dir)))
                .isInstanceOfSatisfying(AdapterRankException.class, e -> {
                    assertThat(e.rank()).isEqualTo(96);
                    assertThat(e.maxRank()).isEqualTo(64);
                    assertThat(e.adapter()).isEqualTo("big");
                })
                .hasMessage("adapter 'big' has rank r = 96, above this server's maximum of 64; retrain it with r <= 64"
                        + " or raise the server's max LoRA rank");
        assertThatThrownBy(() -> new AdapterLoader(TinyBase.NAME, model, 8).load(local("r16",
                TinyBase.adapter(model, tmp.resolve("r16"), 16, 1)))).hasMessageContaining("r = 16").hasMessageContaining("maximum of 8");
    }

    @Test
    void anAdapterTheRegistryFilesUnderAnotherBaseIsRefusedBeforeItsFilesAreFetched() {
        AdapterVersion other = new AdapterVersion("support-bot", 3, "llama-3.1-8b", "sha", () -> {
            throw new AssertionError("the files of an adapter for another base are not fetched");
        });
        assertThatThrownBy(() -> loader.load(other)).isInstanceOfSatisfying(AdapterBaseMismatchException.class, e -> {
            assertThat(e.adapterBase()).isEqualTo("llama-3.1-8b");
            assertThat(e.servedBase()).isEqualTo(TinyBase.NAME);
        }).hasMessage("adapter 'support-bot' is for base model 'llama-3.1-8b', but this server serves 'loraplane-tiny'");
    }

    @Test
    void tensorsThatDoNotFitAreABaseMismatchWhenTheConfigNamesAnotherBase() throws Exception {
        Path dir = wide(tmp.resolve("wide"), "meta-llama/Llama-3.1-8B");
        assertThatThrownBy(() -> loader.load(local("wide", dir)))
                .isInstanceOf(AdapterBaseMismatchException.class)
                .hasMessageStartingWith("adapter 'wide' is for base model 'meta-llama/Llama-3.1-8B', but this server serves"
                        + " 'loraplane-tiny': ")
                .hasMessageContaining("expected (4, 128)")
                .hasCauseInstanceOf(LoraException.class);
    }

    @Test
    void tensorsThatDoNotFitAnAdapterClaimingThisBaseAreTheEnginesError() throws Exception {
        Path dir = wide(tmp.resolve("wide-tiny"), "/models/loraplane-tiny");
        assertThatThrownBy(() -> loader.load(local("wide", dir)))
                .isExactlyInstanceOf(LoraException.class)
                .hasMessageContaining("has shape (4, 4096), expected (4, 128)");
    }

    @Test
    void invalidFilesAreTheEnginesErrorWithItsMessage() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> loader.load(local("empty", dir)))
                .isExactlyInstanceOf(LoraException.class)
                .hasMessageContaining("adapter 'empty'").hasMessageContaining("adapter_config.json").hasMessageContaining("cannot read")
                .hasMessageNotContaining(dir.toString()); // clients name adapters; server paths stay on the server
    }

    /** A q_proj adapter for a 4096-wide model, declaring {@code base} as PEFT would. */
    static Path wide(Path dir, String base) throws Exception {
        Files.createDirectories(dir);
        PeftConfig.write(new LoraConfig(4, 8, 0, List.of("q_proj"), false, base), dir);
        Map<String, F32Tensor> tensors = new LinkedHashMap<>();
        for (int layer = 0; layer < model.config().numLayers(); layer++) {
            String prefix = "base_model.model.model.layers." + layer + ".self_attn.q_proj";
            tensors.put(prefix + ".lora_A.weight", F32Tensor.of(new long[] {4, 4096}, new float[4 * 4096]));
            tensors.put(prefix + ".lora_B.weight", F32Tensor.of(new long[] {4096, 4}, new float[4096 * 4]));
        }
        SafeTensorsWriter.write(dir.resolve(LoraAdapter.WEIGHTS_FILE), tensors);
        return dir;
    }
}
