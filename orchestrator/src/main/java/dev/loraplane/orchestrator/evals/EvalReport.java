package dev.loraplane.orchestrator.evals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Comparator;
import java.util.List;

/**
 * The fine-tune-or-prompt report: each variant's quality with its interval, tokens, latency and
 * serving cost; the best adapter set against the best prompt-engineered base model (their paired
 * lead, the break-even volume); and the verdict. Everything in it is computed from the stored
 * per-example results, the device rates and the adapters' training costs, so it can be recomputed.
 *
 * @param disagreements examples on which the variants do not all pass or all fail the metric
 */
public record EvalReport(Metric metric, int examples, Bootstrap bootstrap, ServingRates serving, List<VariantSummary> variants,
        Comparison comparison, Verdict verdict, int disagreements) {

    /**
     * The adapter against the prompt.
     *
     * @param lead the adapter's figure minus the prompt's, on the same resampled examples
     */
    public record Comparison(String prompt, String adapter, Bootstrap.Estimate lead, BreakEven breakEven) {

        JsonObject toJson() {
            return new JsonObject().put("prompt_variant", prompt).put("adapter_variant", adapter)
                    .put("lead", new JsonObject().put("value", lead.value()).put("ci_low", lead.low()).put("ci_high", lead.high()))
                    .put("break_even", breakEven.toJson());
        }
    }

    /** What the report is built from, one per variant. */
    public record VariantResults(String name, String model, boolean adapter, Double trainingCostUsd, List<ExampleResult> results) {}

    /**
     * @param variants each variant's results, one per example in example order, all over the same examples
     */
    public static EvalReport compute(Metric metric, List<VariantResults> variants, Bootstrap bootstrap, ServingRates rates,
            double paybackMonths) {
        int n = variants.get(0).results().size();
        List<VariantSummary> summaries = variants.stream().map(v -> VariantSummary.of(v.name(), v.model(), v.adapter(), v.results(),
                bootstrap, rates, v.trainingCostUsd())).toList();
        Comparator<VariantSummary> byMetric = Comparator.comparingDouble(s -> s.value(metric));
        VariantSummary prompt = summaries.stream().filter(s -> !s.adapter()).max(byMetric).orElse(null);
        VariantSummary adapter = summaries.stream().filter(VariantSummary::adapter).max(byMetric).orElse(null);
        Comparison comparison = null;
        Verdict verdict;
        if (prompt == null || adapter == null) {
            verdict = Verdict.noComparison(metric, summaries.stream().max(byMetric).orElseThrow());
        } else {
            List<ExampleResult> a = results(variants, adapter.name());
            List<ExampleResult> p = results(variants, prompt.name());
            Bootstrap.Estimate lead = bootstrap.estimate(n, sample -> metric.of(a, sample) - metric.of(p, sample));
            BreakEven breakEven = BreakEven.of(prompt, adapter, paybackMonths);
            comparison = new Comparison(prompt.name(), adapter.name(), lead, breakEven);
            verdict = Verdict.decide(metric, prompt, adapter, lead, breakEven);
        }
        return new EvalReport(metric, n, bootstrap, rates, summaries, comparison, verdict, disagreements(metric, variants, n));
    }

    private static List<ExampleResult> results(List<VariantResults> variants, String name) {
        return variants.stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow().results();
    }

    /** Examples where the variants split on the metric (for token accuracy: on whether every reference token is ranked first). */
    static int disagreements(Metric metric, List<VariantResults> variants, int n) {
        int count = 0;
        for (int i = 0; i < n; i++) {
            int[] one = {i};
            long passing = 0;
            for (VariantResults v : variants) {
                if (metric.of(v.results(), one) == 1.0) {
                    passing++;
                }
            }
            if (passing != 0 && passing != variants.size()) {
                count++;
            }
        }
        return count;
    }

    public JsonObject toJson() {
        return new JsonObject().put("object", "eval.report").put("metric", metric.wireName()).put("examples", examples)
                .put("bootstrap", new JsonObject().put("resamples", bootstrap.resamples()).put("seed", bootstrap.seed())
                        .put("confidence", 0.95))
                .put("serving", serving.toJson())
                .put("variants", new JsonArray(variants.stream().map(VariantSummary::toJson).toList()))
                .put("comparison", comparison == null ? null : comparison.toJson())
                .put("verdict", verdict.toJson()).put("disagreements", disagreements);
    }
}
