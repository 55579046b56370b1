package dev.loraplane.app.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.loraplane.engine.model.Adapters;
import dev.loraplane.engine.model.KvCache;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.model.StepInputs;
import java.util.SplittableRandom;

/**
 * Prefill and decode throughput of one loaded model at one batch size: {@code batch} random prompts
 * of {@code promptTokens} tokens are prefilled in one step, then {@code decodeSteps} single-token
 * steps follow on the KV cache, each ending with the logits copied to the host as generation does.
 */
final class ForwardBench {

    /** Tokens per second of each phase. */
    record Throughput(int batch, double prefillTokensPerSecond, double decodeTokensPerSecond) {}

    private ForwardBench() {}

    static Throughput run(Llama model, int batch, int promptTokens, int decodeSteps, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int vocab = model.config().vocabSize();
        long[] prompt = new long[batch * promptTokens];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = random.nextInt(3, vocab);
        }
        int[] pads = new int[batch];
        try (NDManager m = model.manager().newSubManager();
                KvCache cache = new KvCache(m, model.config(), batch, promptTokens + decodeSteps, DataType.FLOAT32)) {
            long start = System.nanoTime();
            step(model, m, cache, prompt, promptTokens, pads);
            double prefill = seconds(start);
            start = System.nanoTime();
            for (int s = 0; s < decodeSteps; s++) {
                long[] next = new long[batch];
                for (int b = 0; b < batch; b++) {
                    next[b] = random.nextInt(3, vocab);
                }
                step(model, m, cache, next, 1, pads);
            }
            double decode = seconds(start);
            return new Throughput(batch, batch * (double) promptTokens / prefill, batch * (double) decodeSteps / decode);
        }
    }

    private static void step(Llama model, NDManager m, KvCache cache, long[] ids, int tokens, int[] pads) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            StepInputs in = StepInputs.leftPadded(m, ids, tokens, pads, cache.length(), model.config());
            NDArray hidden = model.hidden(in.inputIds(), in.positions(), in.mask(), cache, Adapters.NONE);
            model.weights().lmHead().forward(hidden.get(new NDIndex(":, -1:, :"))).toFloatArray();
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
