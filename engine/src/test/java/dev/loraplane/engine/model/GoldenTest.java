package dev.loraplane.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loraplane.engine.SharedData;
import dev.loraplane.engine.generate.GenerationRequest;
import dev.loraplane.engine.generate.Generator;
import dev.loraplane.engine.generate.SamplingParams;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine against an independent implementation: llama2.c's run.c computed these logits and
 * greedy continuations for the same weights (../shared/golden/README.md says how).
 */
class GoldenTest {

    static final double TOLERANCE = 1e-3;

    static Llama model;
    static JsonNode golden;

    @BeforeAll
    static void load() throws Exception {
        Path dir = SharedData.require("models/stories260K-hf");
        Path json = SharedData.require("golden/stories260K-golden.json");
        golden = new ObjectMapper().readTree(json.toFile());
        model = Llama.load(dir);
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void fullSequenceForwardMatchesEveryStoredLogit() {
        for (JsonNode sequence : golden.get("sequences")) {
            int[] tokens = ints(sequence.get("tokens"));
            try (NDManager m = model.manager().newSubManager()) {
                float[] logits = model.logits(m, tokens, Adapters.NONE).toFloatArray();
                int vocab = model.config().vocabSize();
                JsonNode positions = sequence.get("positions");
                for (int k = 0; k < positions.size(); k++) {
                    int pos = positions.get(k).asInt();
                    assertRowMatches(logits, pos * vocab, sequence.get("logits").get(k), "length " + tokens.length + " position " + pos);
                }
            }
        }
    }

    @Test
    void cachedDecodingMatchesEveryStoredLogit() {
        for (JsonNode sequence : golden.get("sequences")) {
            int[] tokens = ints(sequence.get("tokens"));
            JsonNode positions = sequence.get("positions");
            int vocab = model.config().vocabSize();
            try (NDManager m = model.manager().newSubManager();
                    KvCache cache = new KvCache(m, model.config(), 1, tokens.length, ai.djl.ndarray.types.DataType.FLOAT32)) {
                int k = 0;
                for (int pos = 0; pos < tokens.length; pos++) {
                    try (NDScope scope = new NDScope()) {
                        scope.suppressNotUsedWarning();
                        StepInputs in = StepInputs.leftPadded(m, new long[] {tokens[pos]}, 1, new int[] {0}, pos, model.config());
                        NDArray logits = model.forward(in.inputIds(), in.positions(), in.mask(), cache, Adapters.NONE);
                        if (k < positions.size() && positions.get(k).asInt() == pos) {
                            assertRowMatches(logits.toFloatArray(), 0, sequence.get("logits").get(k),
                                    "cached, length " + tokens.length + " position " + pos);
                            k++;
                        }
                    }
                }
                assertThat(k).isEqualTo(positions.size());
            }
        }
    }

    @Test
    void greedyContinuationsMatchTokenForToken() {
        Generator generator = new Generator(model);
        List<GenerationRequest> requests = new ArrayList<>();
        List<int[]> expected = new ArrayList<>();
        for (JsonNode g : golden.get("greedy")) {
            int[] continuation = ints(g.get("continuation"));
            requests.add(new GenerationRequest(ints(g.get("prompt")), SamplingParams.greedy(continuation.length, Set.of())));
            expected.add(continuation);
        }
        // One at a time, then both prompts (lengths 1 and 6) in one left-padded batch.
        for (int i = 0; i < requests.size(); i++) {
            assertThat(generator.generate(List.of(requests.get(i)), Adapters.NONE).get(0).tokenIds())
                    .as("greedy continuation %d alone", i).containsExactly(expected.get(i));
        }
        var batched = generator.generate(requests, Adapters.NONE);
        for (int i = 0; i < requests.size(); i++) {
            assertThat(batched.get(i).tokenIds()).as("greedy continuation %d in a batch", i).containsExactly(expected.get(i));
            assertThat(batched.get(i).finishReason()).isEqualTo("length");
        }
    }

    private static void assertRowMatches(float[] actual, int offset, JsonNode expected, String where) {
        int vocab = expected.size();
        double worst = 0;
        int expectedArgmax = 0;
        int actualArgmax = 0;
        for (int i = 0; i < vocab; i++) {
            float e = (float) expected.get(i).asDouble();
            worst = Math.max(worst, Math.abs(actual[offset + i] - e));
            if (e > (float) expected.get(expectedArgmax).asDouble()) {
                expectedArgmax = i;
            }
            if (actual[offset + i] > actual[offset + actualArgmax]) {
                actualArgmax = i;
            }
        }
        assertThat(worst).as("max |logit - run.c| at %s", where).isLessThanOrEqualTo(TOLERANCE);
        assertThat(actualArgmax).as("argmax at %s", where).isEqualTo(expectedArgmax);
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
