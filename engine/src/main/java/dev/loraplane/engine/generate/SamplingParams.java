package dev.loraplane.engine.generate;

import java.util.List;
import java.util.Set;

/**
 * How to pick each next token.
 *
 * @param maxTokens the most tokens to generate
 * @param temperature 0 for greedy (argmax, first maximum on ties); else logits are divided by it
 * @param topP nucleus sampling: keep the smallest set of tokens whose probability reaches it (1 = off)
 * @param topK keep only the k most likely tokens (0 = off)
 * @param seed seeds this sequence's random stream, so a sampled generation can be repeated
 * @param stopTokenIds tokens that end the generation (included in the output, as the reason)
 * @param stopStrings texts that end the generation once the decoded output contains one; needs a
 *     {@link Generator} with a decoder
 */
public record SamplingParams(int maxTokens, double temperature, double topP, int topK, long seed,
        Set<Integer> stopTokenIds, List<String> stopStrings) {

    public SamplingParams {
        stopTokenIds = Set.copyOf(stopTokenIds);
        stopStrings = List.copyOf(stopStrings);
        if (stopStrings.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("stop strings must not be empty");
        }
        if (maxTokens < 0) {
            throw new IllegalArgumentException("max_tokens must be >= 0, got " + maxTokens);
        }
        if (temperature < 0 || Double.isNaN(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
        }
    }

    public static SamplingParams greedy(int maxTokens, Set<Integer> stopTokenIds) {
        return new SamplingParams(maxTokens, 0, 1, 0, 0, stopTokenIds, List.of());
    }

    public boolean isGreedy() {
        return temperature == 0;
    }
}
