package dev.loraplane.engine.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Picks the next token from one row of logits; one per sequence, as it holds the sequence's random stream. */
public final class Sampler {

    private final SamplingParams params;
    private final SplittableRandom random;

    public Sampler(SamplingParams params) {
        this.params = params;
        this.random = new SplittableRandom(params.seed());
    }

    /** Picks from {@code logits[offset, offset + vocab)}. */
    public int next(float[] logits, int offset, int vocab) {
        if (params.isGreedy()) {
            return argmax(logits, offset, vocab);
        }
        Integer[] order = new Integer[vocab];
        double[] probs = new double[vocab];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            order[i] = i;
            max = Math.max(max, logits[offset + i] / params.temperature());
        }
        for (int i = 0; i < vocab; i++) {
            probs[i] = Math.exp(logits[offset + i] / params.temperature() - max);
        }
        Arrays.sort(order, (a, b) -> Double.compare(probs[b], probs[a]));
        int keep = params.topK() > 0 ? Math.min(params.topK(), vocab) : vocab;
        double total = 0;
        for (int i = 0; i < keep; i++) {
            total += probs[order[i]];
        }
        // Nucleus: the shortest prefix of the sorted tokens whose mass reaches top_p.
        double mass = 0;
        int nucleus = 0;
        while (nucleus < keep) {
            mass += probs[order[nucleus++]] / total;
            if (mass >= params.topP()) {
                break;
            }
        }
        double kept = 0;
        for (int i = 0; i < nucleus; i++) {
            kept += probs[order[i]];
        }
        double r = random.nextDouble() * kept;
        for (int i = 0; i < nucleus; i++) {
            r -= probs[order[i]];
            if (r < 0) {
                return order[i];
            }
        }
        return order[nucleus - 1];
    }

    static int argmax(float[] logits, int offset, int vocab) {
        int best = 0;
        for (int i = 1; i < vocab; i++) {
            if (logits[offset + i] > logits[offset + best]) {
                best = i;
            }
        }
        return best;
    }
}
