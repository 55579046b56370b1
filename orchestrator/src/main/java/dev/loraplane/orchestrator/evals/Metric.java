package dev.loraplane.orchestrator.evals;

import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * A quality figure of a variant over a sample of examples (indexes into its results, repeats allowed,
 * as a bootstrap draws them): the share of answers that pass a check, or for token accuracy the share
 * of reference tokens the variant ranks first.
 */
public enum Metric {
    EXACT_MATCH("exact_match", "exact match"),
    NORMALIZED_MATCH("normalized_match", "normalized match"),
    TOKEN_ACCURACY("token_accuracy", "token accuracy"),
    JSON_VALID("json_valid", "valid JSON"),
    REGEX_MATCH("regex_match", "regex match");

    private final String wireName;
    private final String words;

    Metric(String wireName, String words) {
        this.wireName = wireName;
        this.words = words;
    }

    public String wireName() {
        return wireName;
    }

    /** How a sentence names it. */
    public String words() {
        return words;
    }

    public static Metric fromWire(String name) {
        return Arrays.stream(values()).filter(m -> m.wireName.equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("unknown metric '" + name + "'; expected one of "
                        + String.join(", ", Arrays.stream(values()).map(Metric::wireName).toList())));
    }

    /** Whether the results carry this figure (JSON validity and regex only when checked). */
    public boolean measuredIn(List<ExampleResult> results) {
        return switch (this) {
            case JSON_VALID -> !results.isEmpty() && results.get(0).jsonValid() != null;
            case REGEX_MATCH -> !results.isEmpty() && results.get(0).regexMatch() != null;
            default -> !results.isEmpty();
        };
    }

    /** The figure over {@code sample}, from 0 to 1. */
    public double of(List<ExampleResult> results, int[] sample) {
        return switch (this) {
            case EXACT_MATCH -> share(results, sample, ExampleResult::exactMatch);
            case NORMALIZED_MATCH -> share(results, sample, ExampleResult::normalizedMatch);
            case JSON_VALID -> share(results, sample, r -> Boolean.TRUE.equals(r.jsonValid()));
            case REGEX_MATCH -> share(results, sample, r -> Boolean.TRUE.equals(r.regexMatch()));
            case TOKEN_ACCURACY -> {
                long correct = 0;
                long tokens = 0;
                for (int i : sample) {
                    correct += results.get(i).referenceCorrect();
                    tokens += results.get(i).referenceTokens();
                }
                yield tokens == 0 ? 0 : (double) correct / tokens;
            }
        };
    }

    private static double share(List<ExampleResult> results, int[] sample, Predicate<ExampleResult> pass) {
        int passed = 0;
        for (int i : sample) {
            if (pass.test(results.get(i))) {
                passed++;
            }
        }
        return sample.length == 0 ? 0 : (double) passed / sample.length;
    }

    /** Every index of {@code n} results once: the figure on the data itself. */
    public static int[] all(int n) {
        int[] sample = new int[n];
        Arrays.setAll(sample, i -> i);
        return sample;
    }
}
