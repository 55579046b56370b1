package dev.loraplane.orchestrator.api;

import dev.loraplane.orchestrator.evals.Checks;
import dev.loraplane.orchestrator.evals.EvalSpec;
import dev.loraplane.orchestrator.evals.Metric;
import dev.loraplane.orchestrator.evals.PromptRecipe;
import dev.loraplane.orchestrator.evals.Variant;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code POST /v1/evals} read and checked field by field: {@code dataset} (a file id), two or more
 * {@code variants} ({@code name}, {@code model}, and a {@code prompt} recipe of {@code system},
 * {@code few_shot_file}, {@code few_shot_count}, {@code template}), {@code metric}, {@code checks}
 * ({@code json}, {@code regex}), {@code max_tokens}, {@code seed}, {@code payback_months},
 * {@code name}, {@code metadata}. Every refusal names the field. What needs the store (files,
 * models) is checked by {@link EvalsApi}.
 */
final class EvalRequest {

    static final int DEFAULT_MAX_TOKENS = 64;
    static final int DEFAULT_FEW_SHOT_COUNT = 3;

    private EvalRequest() {}

    static EvalSpec parse(JsonObject body) {
        String dataset = RequestFields.string(body, "dataset", "dataset", true);
        Object value = body.getValue("variants");
        if (!(value instanceof JsonArray array) || array.size() < 2) {
            throw ApiException.invalid("variants", "invalid_variants", "variants must be an array of two or more"
                    + " {\"name\", \"model\", \"prompt\"} objects to compare");
        }
        List<Variant> variants = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < array.size(); i++) {
            String prefix = "variants[" + i + "]";
            if (!(array.getValue(i) instanceof JsonObject v)) {
                throw ApiException.invalid(prefix, "invalid_type", prefix + " must be an object {\"name\", \"model\", \"prompt\"}");
            }
            String model = RequestFields.string(v, "model", prefix + ".model", true);
            String name = RequestFields.string(v, "name", prefix + ".name", false);
            Variant variant = variant(name == null ? "variant-" + (i + 1) : name, model, v.getValue("prompt"), prefix + ".prompt");
            if (!names.add(variant.name())) {
                throw ApiException.invalid(prefix + ".name", "duplicate_name", "variant name '" + variant.name() + "' is used twice");
            }
            variants.add(variant);
        }
        return spec(body, dataset, variants);
    }

    /** The fields every eval has besides its dataset and variants (a job's baseline eval takes them from {@code baseline}). */
    static EvalSpec spec(JsonObject body, String dataset, List<Variant> variants) {
        String metricName = RequestFields.string(body, "metric", "metric", false);
        Metric metric;
        try {
            metric = metricName == null ? Metric.NORMALIZED_MATCH : Metric.fromWire(metricName);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("metric", "invalid_value", e.getMessage());
        }
        Checks checks = checks(body.getValue("checks"));
        if ((metric == Metric.JSON_VALID && !checks.json()) || (metric == Metric.REGEX_MATCH && checks.regex() == null)) {
            throw ApiException.invalid("metric", "invalid_value", "metric " + metric.wireName() + " needs checks."
                    + (metric == Metric.JSON_VALID ? "json: true" : "regex"));
        }
        int maxTokens = (int) integer(body, "max_tokens", "max_tokens", DEFAULT_MAX_TOKENS, 1, 4096);
        long seed = body.getValue("seed") == null ? Ids.newSeed() : integer(body, "seed", "seed", 0, Long.MIN_VALUE, Long.MAX_VALUE);
        Object payback = body.getValue("payback_months", 1);
        if (!(payback instanceof Number p) || !(p.doubleValue() > 0) || p.doubleValue() > 120) {
            throw ApiException.invalid("payback_months", "invalid_value", "payback_months must be a number of months above 0 and"
                    + " at most 120, got " + payback);
        }
        return new EvalSpec(RequestFields.string(body, "name", "name", false), dataset, variants, metric, checks, maxTokens, seed,
                ((Number) payback).doubleValue(), metadata(body));
    }

    /** A variant from its model and its {@code prompt} recipe object (null: none), errors named under {@code prefix}. */
    static Variant variant(String name, String model, Object prompt, String prefix) {
        if (prompt == null) {
            return new Variant(name, model, null, null, 0, null);
        }
        if (!(prompt instanceof JsonObject p)) {
            throw ApiException.invalid(prefix, "invalid_type", prefix + " must be an object {\"system\", \"few_shot_file\","
                    + " \"few_shot_count\", \"template\"}");
        }
        String system = RequestFields.string(p, "system", prefix + ".system", false);
        String fewShotFile = RequestFields.string(p, "few_shot_file", prefix + ".few_shot_file", false);
        int count = (int) integer(p, "few_shot_count", prefix + ".few_shot_count", DEFAULT_FEW_SHOT_COUNT, 1, 64);
        String template = RequestFields.string(p, "template", prefix + ".template", false);
        if (template != null && !template.contains(PromptRecipe.INPUT)) {
            throw ApiException.invalid(prefix + ".template", "invalid_template", prefix + ".template must hold "
                    + PromptRecipe.INPUT + " where the example's words go");
        }
        return new Variant(name, model, system, fewShotFile, count, template);
    }

    private static Checks checks(Object value) {
        if (value == null) {
            return Checks.NONE;
        }
        if (!(value instanceof JsonObject c)) {
            throw ApiException.invalid("checks", "invalid_type", "checks must be an object {\"json\": true, \"regex\": \"…\"}");
        }
        Object json = c.getValue("json", false);
        if (!(json instanceof Boolean)) {
            throw ApiException.invalid("checks.json", "invalid_type", "checks.json must be true or false, got " + json);
        }
        String regex = RequestFields.string(c, "regex", "checks.regex", false);
        try {
            return new Checks((Boolean) json, regex == null ? null : Pattern.compile(regex));
        } catch (PatternSyntaxException e) {
            throw ApiException.invalid("checks.regex", "invalid_regex", "checks.regex is not a valid regular expression: "
                    + e.getDescription() + " near index " + e.getIndex());
        }
    }

    private static long integer(JsonObject body, String field, String param, long fallback, long min, long max) {
        Object value = body.getValue(field);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < min
                || n.longValue() > max) {
            throw ApiException.invalid(param, "invalid_value", param + " must be an integer"
                    + (min == Long.MIN_VALUE ? "" : " from " + min + " to " + max) + ", got " + value);
        }
        return n.longValue();
    }

    private static Map<String, String> metadata(JsonObject body) {
        Object value = body.getValue("metadata");
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof JsonObject object) || object.size() > 16
                || object.stream().anyMatch(e -> !(e.getValue() instanceof String) || e.getKey().length() > 64)) {
            throw ApiException.invalid("metadata", "invalid_metadata", "metadata must be an object of at most 16 string values");
        }
        Map<String, String> map = new TreeMap<>();
        object.forEach(e -> map.put(e.getKey(), (String) e.getValue()));
        return map;
    }
}
