package dev.loraplane.engine.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.loraplane.engine.model.Adapters;
import dev.loraplane.engine.model.KvCache;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.model.StepInputs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Generates continuations for a batch of prompts of different lengths: one prefill over the
 * left-padded prompts, then one decode step per token for every unfinished sequence, reusing the KV
 * cache.
 */
public final class Generator {

    /** Turns generated ids into text, for stop strings. */
    @FunctionalInterface
    public interface Decoder {
        String decode(int[] tokenIds);
    }

    private final Llama model;
    private final Decoder decoder;

    /** A generator over token ids only: requests with stop strings are refused. */
    public Generator(Llama model) {
        this(model, null);
    }

    public Generator(Llama model, Decoder decoder) {
        this.model = model;
        this.decoder = decoder;
    }

    public List<Generation> generate(List<GenerationRequest> requests, Adapters adapters) {
        if (decoder == null && requests.stream().anyMatch(r -> !r.sampling().stopStrings().isEmpty())) {
            throw new IllegalArgumentException("stop strings need a tokenizer to decode the output; this model has none");
        }
        int batch = requests.size();
        int longest = requests.stream().mapToInt(r -> r.promptTokenIds().length).max().orElse(0);
        int maxNew = requests.stream().mapToInt(r -> r.sampling().maxTokens()).max().orElse(0);
        if (maxNew == 0) {
            return requests.stream().map(r -> new Generation(new int[0], "length", null)).toList();
        }
        int[] pads = new int[batch];
        int[][] outputs = new int[batch][];
        int[] produced = new int[batch];
        String[] finish = new String[batch];
        String[] stopString = new String[batch];
        Sampler[] samplers = new Sampler[batch];
        long[] firstStep = new long[batch * longest];
        for (int b = 0; b < batch; b++) {
            int[] prompt = requests.get(b).promptTokenIds();
            pads[b] = longest - prompt.length;
            outputs[b] = new int[requests.get(b).sampling().maxTokens()];
            samplers[b] = new Sampler(requests.get(b).sampling());
            for (int i = 0; i < prompt.length; i++) {
                firstStep[b * longest + pads[b] + i] = prompt[i];
            }
        }
        int vocab = model.config().vocabSize();
        try (NDManager m = model.manager().newSubManager();
                KvCache cache = new KvCache(m, model.config(), batch, longest + maxNew - 1, DataType.FLOAT32)) {
            long[] ids = firstStep;
            int tokens = longest;
            int active = batch;
            while (active > 0) {
                float[] logits;
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    StepInputs in = StepInputs.leftPadded(m, ids, tokens, pads, cache.length(), model.config());
                    NDArray hidden = model.hidden(in.inputIds(), in.positions(), in.mask(), cache, adapters);
                    NDArray last = hidden.get(new NDIndex(":, -1:, :"));
                    logits = model.weights().lmHead().forward(last).toFloatArray();
                }
                ids = new long[batch];
                for (int b = 0; b < batch; b++) {
                    if (finish[b] != null) {
                        continue;
                    }
                    int next = samplers[b].next(logits, b * vocab, vocab);
                    outputs[b][produced[b]++] = next;
                    ids[b] = next;
                    SamplingParams sampling = requests.get(b).sampling();
                    if (sampling.stopTokenIds().contains(next)) {
                        finish[b] = "stop";
                    } else if ((stopString[b] = StopStrings.matched(sampling.stopStrings(), outputs[b], produced[b], decoder)) != null) {
                        finish[b] = "stop";
                    } else if (produced[b] == outputs[b].length) {
                        finish[b] = "length";
                    }
                    if (finish[b] != null) {
                        active--;
                    }
                }
                tokens = 1;
            }
        }
        List<Generation> generations = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            generations.add(new Generation(Arrays.copyOf(outputs[b], produced[b]), finish[b], stopString[b]));
        }
        return generations;
    }
}
