package dev.loraplane.orchestrator.evals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What an eval runs, as stored with it: the held-out dataset (a file id), the variants, the metric the
 * verdict rests on, the optional checks, and how generation and the report are fixed.
 *
 * @param maxTokens the most tokens each answer may have
 * @param seed fixes few-shot draws and the bootstrap (generation is greedy)
 * @param paybackMonths the months an adapter has to repay its training in the break-even volume
 */
public record EvalSpec(String name, String dataset, List<Variant> variants, Metric metric, Checks checks, int maxTokens, long seed,
        double paybackMonths, Map<String, String> metadata) {

    public EvalSpec {
        variants = List.copyOf(variants);
        metadata = Map.copyOf(metadata);
    }

    /** This spec with variant {@code index} replaced. */
    public EvalSpec withVariant(int index, Variant variant) {
        List<Variant> changed = new java.util.ArrayList<>(variants);
        changed.set(index, variant);
        return new EvalSpec(name, dataset, changed, metric, checks, maxTokens, seed, paybackMonths, metadata);
    }

    public JsonObject toJson() {
        return new JsonObject().put("name", name).put("dataset", dataset)
                .put("variants", new JsonArray(variants.stream().map(Variant::toJson).toList())).put("metric", metric.wireName())
                .put("checks", new JsonObject().put("json", checks.json())
                        .put("regex", checks.regex() == null ? null : checks.regex().pattern()))
                .put("max_tokens", maxTokens).put("seed", seed).put("payback_months", paybackMonths)
                .put("metadata", new JsonObject(new java.util.LinkedHashMap<>(metadata)));
    }

    public static EvalSpec fromJson(JsonObject j) {
        JsonObject c = j.getJsonObject("checks", new JsonObject());
        String regex = c.getString("regex");
        Map<String, String> metadata = new TreeMap<>();
        j.getJsonObject("metadata", new JsonObject()).forEach(e -> metadata.put(e.getKey(), String.valueOf(e.getValue())));
        return new EvalSpec(j.getString("name"), j.getString("dataset"),
                j.getJsonArray("variants").stream().map(v -> Variant.fromJson((JsonObject) v)).toList(),
                Metric.fromWire(j.getString("metric")), new Checks(c.getBoolean("json", false),
                        regex == null ? null : Pattern.compile(regex)),
                j.getInteger("max_tokens"), j.getLong("seed"), j.getDouble("payback_months"), metadata);
    }
}
