package dev.loraplane.orchestrator.evals;

import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One variant's figures over the eval's examples.
 *
 * @param adapter whether {@code model} is an adapter (else the base model, prompt-engineered or not)
 * @param quality each measured {@link Metric} by wire name, with its bootstrap interval
 * @param meanLoss the reference's teacher-forced loss per token, in nats (all tokens pooled)
 * @param perplexity {@code exp(meanLoss)}
 * @param promptTokens mean prompt tokens per query
 * @param completionTokens mean generated tokens per query
 * @param latencySeconds mean latency per query, admitted to last token
 * @param latencyP95Seconds its 95th percentile
 * @param usdPerMillionQueries serving cost of a million such queries, from {@link ServingRates}
 * @param trainingCostUsd what training the adapter cost (its job's attempts), or null: the base model, or
 *     an adapter imported without a job
 */
public record VariantSummary(String name, String model, boolean adapter, Map<String, Bootstrap.Estimate> quality, double meanLoss,
        double perplexity, double promptTokens, double completionTokens, double latencySeconds, double latencyP95Seconds,
        double usdPerMillionQueries, Double trainingCostUsd) {

    public VariantSummary {
        quality = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(quality));
    }

    /**
     * @param results the variant's results, one per example in example order
     */
    public static VariantSummary of(String name, String model, boolean adapter, List<ExampleResult> results, Bootstrap bootstrap,
            ServingRates rates, Double trainingCostUsd) {
        Map<String, Bootstrap.Estimate> quality = new LinkedHashMap<>();
        for (Metric metric : Metric.values()) {
            if (metric.measuredIn(results)) {
                quality.put(metric.wireName(), bootstrap.estimate(results.size(), sample -> metric.of(results, sample)));
            }
        }
        double loss = 0;
        long tokens = 0;
        double prompt = 0;
        double completion = 0;
        double[] latencies = new double[results.size()];
        for (int i = 0; i < results.size(); i++) {
            ExampleResult r = results.get(i);
            loss += r.referenceLoss();
            tokens += r.referenceTokens();
            prompt += r.promptTokens();
            completion += r.completionTokens();
            latencies[i] = r.latencySeconds();
        }
        int n = results.size();
        double meanLoss = loss / tokens;
        double meanPrompt = prompt / n;
        double meanCompletion = completion / n;
        Arrays.sort(latencies);
        return new VariantSummary(name, model, adapter, quality, meanLoss, Math.exp(meanLoss), meanPrompt, meanCompletion,
                Arrays.stream(latencies).average().orElse(0), Bootstrap.percentile(latencies, 0.95),
                rates.usdPerQuery(meanPrompt, meanCompletion) * 1e6, trainingCostUsd);
    }

    /** The variant's figure for {@code metric} on all examples. */
    public double value(Metric metric) {
        return quality.get(metric.wireName()).value();
    }

    public JsonObject toJson() {
        JsonObject q = new JsonObject();
        quality.forEach((k, e) -> q.put(k, new JsonObject().put("value", e.value()).put("ci_low", e.low()).put("ci_high", e.high())));
        return new JsonObject().put("name", name).put("model", model).put("adapter", adapter).put("quality", q)
                .put("mean_loss", meanLoss).put("perplexity", perplexity).put("prompt_tokens", promptTokens)
                .put("completion_tokens", completionTokens).put("latency_seconds", latencySeconds)
                .put("latency_p95_seconds", latencyP95Seconds).put("usd_per_1m_queries", usdPerMillionQueries)
                .put("training_cost_usd", trainingCostUsd);
    }
}
