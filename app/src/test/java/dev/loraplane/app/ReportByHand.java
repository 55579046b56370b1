package dev.loraplane.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * An eval report's figures recomputed from its downloaded per-example results, following the
 * definitions the report documents and nothing of the code that wrote it: shares of passing
 * answers, pooled token accuracy and loss, mean tokens, the measured serving rates and costs, the
 * break-even volume, the disagreements, and every 95% interval by redrawing the bootstrap's
 * resamples from its seed ({@link SplittableRandom}, {@code nextInt(n)} per resampled example, one
 * stream per statistic) and taking the 2.5th and 97.5th percentiles, interpolated as numpy does.
 */
final class ReportByHand {

    private ReportByHand() {}

    static void check(JsonObject report, String resultsJsonl) {
        Map<String, List<JsonObject>> byVariant = new TreeMap<>();
        resultsJsonl.lines().map(JsonObject::new)
                .forEach(r -> byVariant.computeIfAbsent(r.getString("variant"), k -> new ArrayList<>()).add(r));
        int n = report.getInteger("examples");
        List<JsonObject> summaries = report.getJsonArray("variants").stream().map(v -> (JsonObject) v).toList();
        assertThat(byVariant.keySet()).containsExactlyInAnyOrderElementsOf(summaries.stream().map(s -> s.getString("name")).toList());
        byVariant.values().forEach(rows -> {
            rows.sort((a, b) -> Integer.compare(a.getInteger("example"), b.getInteger("example")));
            assertThat(rows).hasSize(n);
        });

        JsonObject rates = report.getJsonObject("serving");
        double prefill = 0;
        double wall = 0;
        double promptTokens = 0;
        double completionTokens = 0;
        for (List<JsonObject> rows : byVariant.values()) {
            for (JsonObject r : rows) {
                prefill += r.getDouble("prefill_seconds");
                wall += r.getDouble("run_seconds_share");
                promptTokens += r.getInteger("prompt_tokens");
                completionTokens += r.getInteger("completion_tokens");
            }
        }
        assertThat(prefill).as("prefill passes counted once, not once per prompt they held").isLessThan(wall);
        assertThat(rates.getDouble("seconds_per_prompt_token")).isCloseTo(prefill / promptTokens, within(1e-12));
        assertThat(rates.getDouble("seconds_per_completion_token"))
                .isCloseTo(Math.max(0, wall - prefill) / completionTokens, within(1e-12));

        JsonObject bootstrap = report.getJsonObject("bootstrap");
        assertThat(bootstrap.getDouble("confidence")).isEqualTo(0.95);
        int[][] resamples = resamples(n, bootstrap.getInteger("resamples"), bootstrap.getLong("seed"));
        Map<String, Double> usdPerQuery = new LinkedHashMap<>();
        for (JsonObject summary : summaries) {
            List<JsonObject> rows = byVariant.get(summary.getString("name"));
            for (JsonObject r : rows) {
                assertThat(r.getBoolean("exact_match")).as(r.encode()).isEqualTo(r.getString("output").equals(r.getString("reference")));
                assertThat(r.getBoolean("normalized_match")).as(r.encode())
                        .isEqualTo(normalized(r.getString("output")).equals(normalized(r.getString("reference"))));
            }
            JsonObject quality = summary.getJsonObject("quality");
            assertThat(quality.fieldNames()).containsExactlyInAnyOrder("exact_match", "normalized_match", "token_accuracy");
            for (String metric : quality.fieldNames()) {
                assertEstimate(summary.getString("name") + " " + metric, quality.getJsonObject(metric),
                        estimate(resamples, sample -> figure(metric, rows, sample)));
            }
            int tokens = rows.stream().mapToInt(r -> r.getInteger("reference_tokens")).sum();
            double loss = rows.stream().mapToDouble(r -> r.getDouble("reference_loss")).sum() / tokens;
            double meanPrompt = rows.stream().mapToInt(r -> r.getInteger("prompt_tokens")).average().orElseThrow();
            double meanCompletion = rows.stream().mapToInt(r -> r.getInteger("completion_tokens")).average().orElseThrow();
            double[] latencies = rows.stream().mapToDouble(r -> r.getDouble("latency_seconds")).sorted().toArray();
            assertThat(summary.getDouble("mean_loss")).isCloseTo(loss, within(1e-9));
            assertThat(summary.getDouble("perplexity")).isCloseTo(Math.exp(loss), within(1e-6));
            assertThat(summary.getDouble("prompt_tokens")).isCloseTo(meanPrompt, within(1e-12));
            assertThat(summary.getDouble("completion_tokens")).isCloseTo(meanCompletion, within(1e-12));
            assertThat(summary.getDouble("latency_seconds")).isCloseTo(Arrays.stream(latencies).average().orElseThrow(), within(1e-12));
            assertThat(summary.getDouble("latency_p95_seconds")).isCloseTo(percentile(latencies, 0.95), within(1e-12));
            double usd = (meanPrompt * rates.getDouble("seconds_per_prompt_token")
                    + meanCompletion * rates.getDouble("seconds_per_completion_token")) * rates.getDouble("usd_per_device_hour") / 3600;
            assertThat(summary.getDouble("usd_per_1m_queries")).isCloseTo(usd * 1e6, within(1e-9));
            usdPerQuery.put(summary.getString("name"), usd);
        }

        String metric = report.getString("metric");
        JsonObject comparison = report.getJsonObject("comparison");
        List<JsonObject> prompt = byVariant.get(comparison.getString("prompt_variant"));
        List<JsonObject> adapter = byVariant.get(comparison.getString("adapter_variant"));
        double[] lead = estimate(resamples, sample -> figure(metric, adapter, sample) - figure(metric, prompt, sample));
        assertEstimate("the adapter's lead", comparison.getJsonObject("lead"), lead);
        String decision = report.getJsonObject("verdict").getString("decision");
        assertThat(decision).as("the verdict follows from the lead's interval %s", Arrays.toString(lead))
                .isEqualTo(lead[1] > 0 ? "fine_tune" : "prompt_is_enough");

        JsonObject breakEven = comparison.getJsonObject("break_even");
        double saving = usdPerQuery.get(comparison.getString("prompt_variant")) - usdPerQuery.get(comparison.getString("adapter_variant"));
        assertThat(breakEven.getDouble("saving_usd_per_query")).isCloseTo(saving, within(1e-15));
        Double trainingCost = summaries.stream().filter(s -> s.getString("name").equals(comparison.getString("adapter_variant")))
                .findFirst().orElseThrow().getDouble("training_cost_usd");
        assertThat(breakEven.getDouble("training_cost_usd")).isEqualTo(trainingCost);
        if (trainingCost == null || saving <= 0) {
            assertThat(breakEven.getValue("queries_per_month")).isNull();
        } else {
            double volume = trainingCost / (saving * breakEven.getDouble("payback_months"));
            assertThat(breakEven.getDouble("queries_per_month")).isCloseTo(volume, within(1e-9 * volume));
        }

        int disagreements = 0;
        for (int i = 0; i < n; i++) {
            int[] one = {i};
            long passing = byVariant.values().stream().filter(rows -> figure(metric, rows, one) == 1.0).count();
            if (passing != 0 && passing != byVariant.size()) {
                disagreements++;
            }
        }
        assertThat(report.getInteger("disagreements")).isEqualTo(disagreements);
    }

    /** Trimmed, with each run of whitespace as one space, case-folded. */
    private static String normalized(String text) {
        return text.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    /** A metric over the examples {@code sample} names: the share passing, or for token accuracy the pooled share of tokens. */
    private static double figure(String metric, List<JsonObject> rows, int[] sample) {
        if (metric.equals("token_accuracy")) {
            long correct = 0;
            long tokens = 0;
            for (int i : sample) {
                correct += rows.get(i).getInteger("reference_correct");
                tokens += rows.get(i).getInteger("reference_tokens");
            }
            return (double) correct / tokens;
        }
        int passed = 0;
        for (int i : sample) {
            if (rows.get(i).getBoolean(metric)) {
                passed++;
            }
        }
        return (double) passed / sample.length;
    }

    /** The bootstrap's resamples: each statistic draws them from a fresh stream of the same seed, so all see the same ones. */
    private static int[][] resamples(int n, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[][] out = new int[count][n];
        for (int[] sample : out) {
            Arrays.setAll(sample, i -> random.nextInt(n));
        }
        return out;
    }

    /** The statistic on every example once, and its 2.5th and 97.5th percentiles over the resamples. */
    private static double[] estimate(int[][] resamples, ToDoubleFunction<int[]> statistic) {
        int[] all = new int[resamples[0].length];
        Arrays.setAll(all, i -> i);
        double[] draws = Arrays.stream(resamples).mapToDouble(statistic).sorted().toArray();
        return new double[] {statistic.applyAsDouble(all), percentile(draws, 0.025), percentile(draws, 0.975)};
    }

    private static double percentile(double[] sorted, double q) {
        double rank = q * (sorted.length - 1);
        int below = (int) rank;
        double next = sorted[Math.min(below + 1, sorted.length - 1)];
        return sorted[below] + (rank - below) * (next - sorted[below]);
    }

    private static void assertEstimate(String what, JsonObject reported, double[] byHand) {
        assertThat(reported.getDouble("value")).as(what).isCloseTo(byHand[0], within(1e-12));
        assertThat(reported.getDouble("ci_low")).as(what + ", low end of the 95% interval").isCloseTo(byHand[1], within(1e-12));
        assertThat(reported.getDouble("ci_high")).as(what + ", high end of the 95% interval").isCloseTo(byHand[2], within(1e-12));
    }
}
