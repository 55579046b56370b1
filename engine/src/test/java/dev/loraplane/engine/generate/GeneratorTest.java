package dev.loraplane.engine.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loraplane.engine.model.Adapters;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import dev.loraplane.engine.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sampling, stops and batching on the built-in tiny model (random weights, byte-level tokens). */
class GeneratorTest {

    @TempDir
    static Path dir;

    static Llama model;
    static Tokenizer tokenizer;
    static Generator generator;

    @BeforeAll
    static void load() {
        TinyModel.write(Preset.TINY, dir, 3);
        model = Llama.load(dir);
        tokenizer = Tokenizer.load(dir);
        generator = new Generator(model, ids -> tokenizer.decode(ids, true));
    }

    @AfterAll
    static void close() {
        tokenizer.close();
        model.close();
    }

    private static int[] prompt(String text) {
        return tokenizer.encode(text, true);
    }

    private static Generation one(String text, SamplingParams params) {
        return generator.generate(List.of(new GenerationRequest(prompt(text), params)), Adapters.NONE).get(0);
    }

    private static SamplingParams sampled(long seed, int topK, double topP) {
        return new SamplingParams(24, 1.0, topP, topK, seed, Set.of(), List.of());
    }

    @Test
    void aSeedRepeatsASampleAndAnotherSeedChangesIt() {
        int[] first = one("Once upon a time", sampled(7, 0, 1)).tokenIds();
        assertThat(one("Once upon a time", sampled(7, 0, 1)).tokenIds()).containsExactly(first);
        assertThat(one("Once upon a time", sampled(8, 0, 1)).tokenIds()).isNotEqualTo(first);
    }

    @Test
    void topKOfOneAndATinyTopPAreGreedy() {
        int[] greedy = one("The cat", SamplingParams.greedy(24, Set.of())).tokenIds();
        assertThat(one("The cat", sampled(1, 1, 1)).tokenIds()).containsExactly(greedy);
        assertThat(one("The cat", sampled(2, 0, 1e-9)).tokenIds()).containsExactly(greedy);
    }

    @Test
    void maxTokensAndStopTokensEndTheGeneration() {
        Generation free = one("Hello", SamplingParams.greedy(10, Set.of()));
        assertThat(free.tokenIds()).hasSize(10);
        assertThat(free.finishReason()).isEqualTo("length");
        int stop = free.tokenIds()[4];
        int firstStop = 0;
        while (free.tokenIds()[firstStop] != stop) {
            firstStop++;
        }
        Generation stopped = one("Hello", SamplingParams.greedy(10, Set.of(stop)));
        assertThat(stopped.finishReason()).isEqualTo("stop");
        assertThat(stopped.tokenIds()).hasSize(firstStop + 1).endsWith(stop);
        assertThat(one("Hello", SamplingParams.greedy(0, Set.of())).tokenIds()).isEmpty();
    }

    @Test
    void aStopStringEndsTheGenerationWhenTheTextContainsIt() {
        Generation free = one("Hello", SamplingParams.greedy(16, Set.of()));
        String text = tokenizer.decode(free.tokenIds(), true);
        String stop = text.substring(5, 7);
        Generation stopped = one("Hello", new SamplingParams(16, 0, 1, 0, 0, Set.of(), List.of("never appears", stop)));
        assertThat(stopped.finishReason()).isEqualTo("stop");
        assertThat(stopped.stopString()).isEqualTo(stop);
        String stoppedText = tokenizer.decode(stopped.tokenIds(), true);
        assertThat(stoppedText).endsWith(stop).isEqualTo(text.substring(0, text.indexOf(stop) + stop.length()));
        assertThatThrownBy(() -> new Generator(model).generate(List.of(new GenerationRequest(prompt("x"),
                new SamplingParams(4, 0, 1, 0, 0, Set.of(), List.of("a")))), Adapters.NONE))
                .hasMessageContaining("stop strings need a tokenizer");
    }

    @Test
    void aBatchOfDifferentLengthsGivesEachPromptWhatItGetsAlone() {
        List<String> prompts = List.of("a", "The quick brown fox", "Hi there", "1, 2, 3, 4, 5, 6, 7, 8");
        List<GenerationRequest> requests = prompts.stream()
                .map(p -> new GenerationRequest(prompt(p), SamplingParams.greedy(12, Set.of()))).toList();
        List<Generation> batched = generator.generate(requests, Adapters.NONE);
        for (int i = 0; i < prompts.size(); i++) {
            assertThat(batched.get(i).tokenIds()).as(prompts.get(i))
                    .containsExactly(generator.generate(List.of(requests.get(i)), Adapters.NONE).get(0).tokenIds());
        }
    }

    @Test
    void badParametersNameTheField() {
        assertThatThrownBy(() -> new SamplingParams(-1, 0, 1, 0, 0, Set.of(), List.of())).hasMessageContaining("max_tokens");
        assertThatThrownBy(() -> new SamplingParams(1, -0.5, 1, 0, 0, Set.of(), List.of())).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new SamplingParams(1, 1, 0, 0, 0, Set.of(), List.of())).hasMessageContaining("top_p");
        assertThatThrownBy(() -> new GenerationRequest(new int[0], SamplingParams.greedy(1, Set.of()))).hasMessageContaining("prompt is empty");
    }
}
