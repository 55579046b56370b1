package dev.loraplane.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loraplane.engine.SharedData;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broken model directory fails with an error naming the file, the tensor and the shapes. */
class ModelLoadingTest {

    @TempDir
    Path tmp;

    Path model;
    String config;

    @BeforeEach
    void copyTheReferenceModel() throws IOException {
        Path source = SharedData.require("models/stories260K-hf");
        model = Files.createDirectories(tmp.resolve("model"));
        Files.copy(source.resolve("model.safetensors"), model.resolve("model.safetensors"));
        config = Files.readString(source.resolve("config.json"));
        Files.writeString(model.resolve("config.json"), config);
    }

    @Test
    void theReferenceModelLoadsAndReportsItself() {
        try (Llama llama = Llama.load(model)) {
            assertThat(llama.config().numKvHeads()).isEqualTo(4);
            assertThat(llama.config().groupSize()).isEqualTo(2);
            assertThat(llama.weights().residentBytes()).isEqualTo(260_032L * 4);
        }
        ModelInfo info = ModelInfo.read(model);
        assertThat(info.parameters()).isEqualTo(260_032L);
        assertThat(info.projectionParameters()).isEqualTo(5L * (64 * 64 * 2 + 32 * 64 * 2 + 172 * 64 * 3));
    }

    @Test
    void anUnknownArchitectureIsNamed() throws IOException {
        Files.writeString(model.resolve("config.json"), config.replace("LlamaForCausalLM", "GPT2LMHeadModel"));
        assertThatThrownBy(() -> Llama.load(model)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("config.json").hasMessageContaining("'GPT2LMHeadModel' is not supported")
                .hasMessageContaining("LlamaForCausalLM");
    }

    @Test
    void aShapeMismatchNamesTheFileTheTensorAndBothShapes() throws IOException {
        Files.writeString(model.resolve("config.json"), config.replace("\"intermediate_size\": 172", "\"intermediate_size\": 200"));
        assertThatThrownBy(() -> Llama.load(model)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model.safetensors")
                .hasMessageContaining("model.layers.0.mlp.gate_proj.weight")
                .hasMessageContaining("has shape (172, 64), expected (200, 64)");
    }

    @Test
    void aMissingTensorIsNamed() throws IOException {
        Files.writeString(model.resolve("config.json"), config.replace("\"num_hidden_layers\": 5", "\"num_hidden_layers\": 6"));
        assertThatThrownBy(() -> Llama.load(model)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("tensor model.layers.5.input_layernorm.weight is missing");
    }

    @Test
    void aTruncatedFileIsNamedWithTheTensorThatDoesNotFit() throws IOException {
        Path file = model.resolve("model.safetensors");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() - 1000);
        }
        assertThatThrownBy(() -> Llama.load(model)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("the file is truncated");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(5);
        }
        assertThatThrownBy(() -> Llama.load(model)).hasMessageContaining("truncated: 5 bytes");
    }

    @Test
    void aDirectoryWithoutWeightsSaysWhichFilesItLookedFor() throws IOException {
        Files.delete(model.resolve("model.safetensors"));
        assertThatThrownBy(() -> Llama.load(model))
                .hasMessageContaining("neither model.safetensors nor model.safetensors.index.json");
    }

    @Test
    void qwen2AndMistralAreFlagsOnTheSameNetwork() {
        ModelConfig qwen = ModelConfig.parse(json(config.replace("LlamaForCausalLM", "Qwen2ForCausalLM")), "qwen");
        assertThat(qwen.qkvBias()).isTrue();
        ModelConfig mistral = ModelConfig.parse(json(config.replace("LlamaForCausalLM", "MistralForCausalLM")
                .replace("\"use_cache\": true", "\"use_cache\": true, \"sliding_window\": 4096")), "mistral");
        assertThat(mistral.qkvBias()).isFalse();
        assertThat(mistral.slidingWindow()).isEqualTo(4096);
        ModelConfig llama3 = ModelConfig.parse(json(config.replace("\"rope_scaling\": null",
                "\"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0, \"low_freq_factor\": 1.0,"
                        + " \"high_freq_factor\": 4.0, \"original_max_position_embeddings\": 8192}")), "llama3");
        assertThat(llama3.ropeScaling().factor()).isEqualTo(8.0);
    }

    private static com.fasterxml.jackson.databind.JsonNode json(String text) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
