package dev.loraplane.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loraplane.engine.SharedData;
import dev.loraplane.engine.model.Adapters;
import dev.loraplane.engine.model.DenseLinear;
import dev.loraplane.engine.model.KvCache;
import dev.loraplane.engine.model.LayerWeights;
import dev.loraplane.engine.model.Linear;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.model.Quantization;
import dev.loraplane.engine.model.StepInputs;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * stories260K with its projections in NF4 against the same model in float32, on the token sequences
 * of {@code golden/stories260K-golden.json} (whose float32 logits match llama2.c's run.c to 1e-3).
 */
class Nf4LlamaTest {

    static Llama full;
    static Llama nf4;
    static JsonNode golden;

    @BeforeAll
    static void load() throws Exception {
        Path dir = SharedData.require("models/stories260K-hf");
        golden = new ObjectMapper().readTree(SharedData.require("golden/stories260K-golden.json").toFile());
        full = Llama.load(dir);
        nf4 = Llama.load(dir, Device.cpu(), DataType.FLOAT32, Quantization.NF4);
    }

    @AfterAll
    static void close() {
        if (full != null) {
            full.close();
        }
        if (nf4 != null) {
            nf4.close();
        }
    }

    @Test
    void everyLayerProjectionIsQuantizedAndTheRestStaysFullPrecision() {
        for (LayerWeights layer : nf4.weights().layers()) {
            for (Linear projection : layer.projections().values()) {
                assertThat(projection).isInstanceOf(Nf4Linear.class);
            }
        }
        assertThat(nf4.weights().lmHead()).isInstanceOf(DenseLinear.class);
        assertThat(nf4.weights().embedTokens().getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(full.weights().quantizedBitsPerParameter()).isEmpty();
        // Matrices of 2048 to 11008 elements: one absmax scale per matrix weighs more than at 7B scale.
        assertThat(nf4.weights().quantizedBitsPerParameter().orElseThrow()).isBetween(4.1269, 4.15);
        long projectionsFull = projectionBytes(full);
        long projectionsNf4 = projectionBytes(nf4);
        assertThat(full.weights().residentBytes() - nf4.weights().residentBytes())
                .isEqualTo(projectionsFull - projectionsNf4);
        assertThat((double) projectionsNf4 / projectionsFull).isLessThan(4.15 / 32);
    }

    /**
     * The quantized model computes exactly the float32 network with {@code Ŵ} in place of every
     * projection weight: the float32 model, its projections swapped for the dequantized weights
     * through {@link Adapters}, gives the NF4 model's logits.
     */
    @Test
    void theQuantizedModelIsTheFullPrecisionNetworkWithDequantizedWeights() {
        for (JsonNode sequence : golden.get("sequences")) {
            int[] tokens = ints(sequence.get("tokens"));
            try (NDManager a = full.manager().newSubManager(); NDManager b = nf4.manager().newSubManager()) {
                Adapters dequantized = (layer, module, base, x) -> {
                    Nf4Linear q = (Nf4Linear) nf4.weights().layers().get(layer).projections().get(module);
                    return new DenseLinear(q.weight().dequantize(x.getManager()), q.bias()).forward(x);
                };
                StepInputs in = StepInputs.leftPadded(a, toLongs(tokens), tokens.length, new int[] {0}, 0, full.config());
                float[] expected = full.forward(in.inputIds(), in.positions(), in.mask(), null, dequantized).toFloatArray();
                float[] actual = nf4.logits(b, tokens, Adapters.NONE).toFloatArray();
                for (int i = 0; i < expected.length; i++) {
                    assertThat((double) actual[i]).as("length %d, logit %d", tokens.length, i)
                            .isCloseTo(expected[i], within(1e-4));
                }
            }
        }
    }

    /**
     * NF4 against float32 over all 713 positions of the five golden sequences. Measured: max |Δlogit|
     * 20.29 and argmax agreement 17.1 % (122 of 713). Asserted: at most 22 and at least 15 %.
     *
     * <p>stories260K is far too small for 4 bits: every 64-wide projection loses ~10 % of its weight
     * norm (relative Frobenius error 0.091 to 0.109, as a plain numpy NF4 without double quantization
     * also gives), and ten such errors compound through five layers of a 260K-parameter model, so even
     * the first position's logits move by 7.5. QLoRA's claim of near-lossless NF4 is for billions of
     * parameters; this test guards against regressions, not for quality.
     */
    @Test
    void logitsStayNearTheFullPrecisionModel() {
        double worst = 0;
        int agree = 0;
        int positions = 0;
        for (JsonNode sequence : golden.get("sequences")) {
            int[] tokens = ints(sequence.get("tokens"));
            try (NDManager a = full.manager().newSubManager(); NDManager b = nf4.manager().newSubManager()) {
                float[] expected = full.logits(a, tokens, Adapters.NONE).toFloatArray();
                float[] actual = nf4.logits(b, tokens, Adapters.NONE).toFloatArray();
                int vocab = full.config().vocabSize();
                for (int t = 0; t < tokens.length; t++) {
                    for (int v = 0; v < vocab; v++) {
                        worst = Math.max(worst, Math.abs(actual[t * vocab + v] - expected[t * vocab + v]));
                    }
                    agree += argmax(actual, t * vocab, vocab) == argmax(expected, t * vocab, vocab) ? 1 : 0;
                    positions++;
                }
            }
        }
        double agreement = (double) agree / positions;
        System.out.printf("NF4 vs float32 stories260K over %d positions: max |Δlogit| %.4f, argmax agreement %.4f%n",
                positions, worst, agreement);
        assertThat(worst).isLessThanOrEqualTo(22);
        assertThat(agreement).isGreaterThanOrEqualTo(0.15);
    }

    @Test
    void cachedDecodingReproducesTheFullSequenceLogits() {
        int[] tokens = ints(golden.get("sequences").get(2).get("tokens"));
        int vocab = nf4.config().vocabSize();
        try (NDManager m = nf4.manager().newSubManager();
                KvCache cache = new KvCache(m, nf4.config(), 1, tokens.length, DataType.FLOAT32)) {
            float[] whole = nf4.logits(m, tokens, Adapters.NONE).toFloatArray();
            for (int pos = 0; pos < tokens.length; pos++) {
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    StepInputs in = StepInputs.leftPadded(m, new long[] {tokens[pos]}, 1, new int[] {0}, pos, nf4.config());
                    NDArray logits = nf4.forward(in.inputIds(), in.positions(), in.mask(), cache, Adapters.NONE);
                    float[] step = logits.toFloatArray();
                    for (int v = 0; v < vocab; v++) {
                        assertThat((double) step[v]).as("position %d token %d", pos, v)
                                .isCloseTo(whole[pos * vocab + v], within(1e-4));
                    }
                }
            }
        }
    }

    private static long projectionBytes(Llama model) {
        return model.weights().layers().stream()
                .flatMap(l -> l.projections().values().stream())
                .mapToLong(Linear::residentBytes)
                .sum();
    }

    private static int argmax(float[] row, int offset, int length) {
        int best = 0;
        for (int i = 1; i < length; i++) {
            if (row[offset + i] > row[offset + best]) {
                best = i;
            }
        }
        return best;
    }

    private static long[] toLongs(int[] tokens) {
        long[] out = new long[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            out[i] = tokens[i];
        }
        return out;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
