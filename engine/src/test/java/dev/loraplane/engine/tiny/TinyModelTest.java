package dev.loraplane.engine.tiny;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.engine.generate.Generation;
import dev.loraplane.engine.generate.GenerationRequest;
import dev.loraplane.engine.generate.Generator;
import dev.loraplane.engine.generate.SamplingParams;
import dev.loraplane.engine.model.Adapters;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.model.ModelConfig;
import dev.loraplane.engine.model.SafeTensors;
import dev.loraplane.engine.tokenizer.ChatMessage;
import dev.loraplane.engine.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in base models: reproducible, loadable, and able to generate. */
class TinyModelTest {

    static final List<String> FILES = List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json");

    @TempDir
    Path dir;

    @Test
    void theSameSeedWritesTheSameBytesAndAnotherSeedOtherWeights() throws Exception {
        TinyModel.write(Preset.TINY, dir.resolve("a"), 42);
        TinyModel.write(Preset.TINY, dir.resolve("b"), 42);
        TinyModel.write(Preset.TINY, dir.resolve("c"), 43);
        for (String file : FILES) {
            assertThat(sha256(dir.resolve("b").resolve(file))).as(file).isEqualTo(sha256(dir.resolve("a").resolve(file)));
        }
        assertThat(sha256(dir.resolve("c/model.safetensors"))).isNotEqualTo(sha256(dir.resolve("a/model.safetensors")));
        assertThat(sha256(dir.resolve("c/config.json"))).isEqualTo(sha256(dir.resolve("a/config.json")));
    }

    @Test
    void weightsAreInitializedAsTransformersDoes() {
        TinyModel.write(Preset.TINY, dir, 7);
        SafeTensors weights = SafeTensors.open(dir.resolve("model.safetensors"));
        float[] q = floats(weights, "model.layers.0.self_attn.q_proj.weight");
        double mean = 0;
        double squares = 0;
        for (float v : q) {
            mean += v;
            squares += (double) v * v;
        }
        mean /= q.length;
        double std = Math.sqrt(squares / q.length - mean * mean);
        assertThat(mean).isBetween(-0.001, 0.001);
        assertThat(std).isBetween(0.0195, 0.0205);
        assertThat(floats(weights, "model.layers.3.post_attention_layernorm.weight")).containsOnly(1f);
        assertThat(floats(weights, "model.norm.weight")).containsOnly(1f);
        float[] embedding = floats(weights, "model.embed_tokens.weight");
        int d = Preset.TINY.hiddenSize();
        for (int i = 0; i < d; i++) {
            assertThat(embedding[ByteLevelTokenizer.PAD * d + i]).as("padding row").isZero();
        }
        assertThat(embedding[ByteLevelTokenizer.BOS * d]).isNotZero();
    }

    @Test
    void tinyLoadsWithLlamaAndChatsThroughTheGenerator() {
        TinyModel.write(Preset.TINY, dir, 1);
        try (Llama model = Llama.load(dir); Tokenizer tokenizer = Tokenizer.load(dir)) {
            ModelConfig config = model.config();
            assertThat(config.architecture()).isEqualTo("LlamaForCausalLM");
            assertThat(config.hiddenSize()).isEqualTo(128);
            assertThat(config.numLayers()).isEqualTo(4);
            assertThat(config.numHeads()).isEqualTo(4);
            assertThat(config.numKvHeads()).isEqualTo(2);
            assertThat(config.intermediateSize()).isEqualTo(384);
            assertThat(config.maxPositions()).isEqualTo(512);
            assertThat(config.vocabSize()).isEqualTo(tokenizer.vocabSize());
            assertThat(config.tieWordEmbeddings()).isFalse();
            assertThat(config.bosTokenId()).isEqualTo(tokenizer.bosTokenId());
            assertThat(config.eosTokenIds()).containsExactly(ByteLevelTokenizer.EOS, tokenizer.eosTokenId());
            assertThat(model.weights().residentBytes()).isEqualTo(Preset.TINY.parameterCount() * Float.BYTES);

            int[] prompt = tokenizer.encode(
                    tokenizer.chatTemplate().render(List.of(ChatMessage.user("Say hi.")), true), false);
            Set<Integer> stops = Set.copyOf(config.eosTokenIds());
            Generator generator = new Generator(model);
            List<Generation> out = generator.generate(List.of(
                    new GenerationRequest(prompt, SamplingParams.greedy(12, stops)),
                    new GenerationRequest(prompt, new SamplingParams(12, 1.0, 0.9, 50, 5, stops, List.of()))), Adapters.NONE);
            for (Generation g : out) {
                assertThat(g.tokenIds()).isNotEmpty().hasSizeLessThanOrEqualTo(12);
                assertThat(Arrays.stream(g.tokenIds()).boxed().toList())
                        .allSatisfy(id -> assertThat(id).isBetween(0, config.vocabSize() - 1));
                assertThat(g.finishReason()).isIn("stop", "length");
                assertThat(tokenizer.decode(g.tokenIds(), true)).isNotNull();
            }
            List<Generation> again = generator.generate(List.of(
                    new GenerationRequest(prompt, new SamplingParams(12, 1.0, 0.9, 50, 5, stops, List.of()))), Adapters.NONE);
            assertThat(again.get(0).tokenIds()).as("a seeded sample repeats").containsExactly(out.get(1).tokenIds());
        }
    }

    @Test
    void benchHasAbout25MillionParametersAndLoads() {
        assertThat(Preset.BENCH.parameterCount()).isBetween(24_000_000L, 27_000_000L);
        TinyModel.write(Preset.BENCH, dir, 1);
        try (Llama model = Llama.load(dir)) {
            assertThat(model.config().vocabSize()).isEqualTo(4096);
            assertThat(model.config().tieWordEmbeddings()).isTrue();
            assertThat(model.config().numKvHeads()).isEqualTo(4);
            assertThat(model.weights().residentBytes()).isEqualTo(Preset.BENCH.parameterCount() * Float.BYTES);
            List<Generation> out = new Generator(model).generate(List.of(new GenerationRequest(
                    new int[] {ByteLevelTokenizer.BOS, 'h', 'i'}, SamplingParams.greedy(3, Set.of()))), Adapters.NONE);
            assertThat(out.get(0).tokenIds()).hasSize(3);
        }
    }

    private static float[] floats(SafeTensors file, String name) {
        FloatBuffer buffer = file.bytes(name).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return values;
    }

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
