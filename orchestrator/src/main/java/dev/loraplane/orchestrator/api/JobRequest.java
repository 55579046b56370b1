package dev.loraplane.orchestrator.api;

import dev.loraplane.engine.lora.LoraConfig;
import dev.loraplane.engine.lora.LoraException;
import dev.loraplane.orchestrator.evals.EvalSpec;
import dev.loraplane.orchestrator.evals.Variant;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /v1/fine_tuning/jobs} read and checked: OpenAI's fields (model, training_file,
 * validation_file, suffix, seed, metadata, method.supervised.hyperparameters or the legacy top-level
 * hyperparameters, each a number or "auto") and loraplane's (lora, quantization, accelerator,
 * priority, baseline). Every refusal names the field.
 *
 * @param hyperparameters n_epochs, batch_size, learning_rate_multiplier: a number or "auto"
 * @param baseline a prompt recipe ({@code system}, {@code few_shot_file}, {@code few_shot_count},
 *     {@code template}) and eval settings ({@code metric}, {@code checks}, {@code max_tokens},
 *     {@code payback_months}) to measure on the validation file against the adapter; null for none
 */
record JobRequest(String model, String trainingFile, String validationFile, String suffix, Long seed,
        Map<String, String> metadata, Map<String, Object> hyperparameters, LoraConfig lora, String quantization,
        JsonObject accelerator, int priority, JsonObject baseline) {

    static final Set<String> ACCELERATORS = Set.of("cpu", "nvidia", "amd", "apple");

    static JobRequest parse(JsonObject body) {
        String model = RequestFields.string(body, "model", "model", true);
        String trainingFile = RequestFields.string(body, "training_file", "training_file", true);
        String validationFile = RequestFields.string(body, "validation_file", "validation_file", false);
        String suffix = RequestFields.string(body, "suffix", "suffix", false);
        if (suffix != null && !suffix.matches("[A-Za-z0-9_-]{1,40}")) {
            throw ApiException.invalid("suffix", "invalid_suffix", "suffix '" + suffix + "' must be 1-40 letters, digits, '-' or '_'");
        }
        Long seed = body.getValue("seed") == null ? null : integer(body, "seed", "seed");
        Object baseline = body.getValue("baseline");
        if (baseline != null && !(baseline instanceof JsonObject)) {
            throw ApiException.invalid("baseline", "invalid_type", "baseline must be an object: a prompt recipe {\"system\","
                    + " \"few_shot_file\", \"few_shot_count\", \"template\"}");
        }
        if (baseline != null && validationFile == null) {
            throw ApiException.invalid("validation_file", "missing_required_parameter", "a baseline needs validation_file: the"
                    + " held-out examples on which the baseline and the adapter are both measured");
        }
        return new JobRequest(model, trainingFile, validationFile, suffix, seed, metadata(body),
                hyperparameters(body), lora(body.getValue("lora")), quantization(body.getValue("quantization")),
                accelerator(body.getValue("accelerator")), body.getValue("priority") == null ? 0
                        : Math.toIntExact(integer(body, "priority", "priority")), (JsonObject) baseline);
    }

    /**
     * The eval of the baseline: the base model with the baseline's recipe, then the adapter the job
     * makes (its model named when the job succeeds), on the validation file; refusals name
     * {@code baseline.…}.
     */
    EvalSpec baselineEval(long seed) {
        try {
            List<Variant> variants = List.of(EvalRequest.variant("baseline", model, baseline, "baseline"),
                    new Variant("fine-tuned", null, null, null, 0, null));
            return EvalRequest.spec(baseline.copy().put("seed", seed), validationFile, variants);
        } catch (ApiException e) {
            throw e.param() == null || e.param().startsWith("baseline") ? e : ApiException.invalid("baseline." + e.param(), e.code(),
                    "baseline." + e.getMessage());
        }
    }

    private static long integer(JsonObject body, String field, String param) {
        Object value = body.getValue(field);
        if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw ApiException.invalid(param, "invalid_type", param + " must be an integer, got " + value);
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
        Map<String, String> map = new java.util.TreeMap<>();
        object.forEach(e -> map.put(e.getKey(), (String) e.getValue()));
        return map;
    }

    /** OpenAI's method.supervised.hyperparameters, or the legacy top-level hyperparameters. */
    private static Map<String, Object> hyperparameters(JsonObject body) {
        String prefix = "hyperparameters";
        Object source = body.getValue("hyperparameters");
        Object method = body.getValue("method");
        if (method != null) {
            if (!(method instanceof JsonObject m) || !"supervised".equals(m.getValue("type"))) {
                throw ApiException.invalid("method.type", "invalid_method", "method.type must be 'supervised'");
            }
            Object supervised = m.getValue("supervised");
            source = supervised instanceof JsonObject s ? s.getValue("hyperparameters") : null;
            prefix = "method.supervised.hyperparameters";
        }
        JsonObject h = source == null ? new JsonObject() : source instanceof JsonObject o ? o : null;
        if (h == null) {
            throw ApiException.invalid(prefix, "invalid_type", prefix + " must be an object");
        }
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("n_epochs", autoOr(h, "n_epochs", prefix, true, 1, 100));
        out.put("batch_size", autoOr(h, "batch_size", prefix, true, 1, 256));
        out.put("learning_rate_multiplier", autoOr(h, "learning_rate_multiplier", prefix, false, 1e-3, 100));
        return out;
    }

    private static Object autoOr(JsonObject h, String field, String prefix, boolean integer, double min, double max) {
        Object value = h.getValue(field);
        String param = prefix + "." + field;
        if (value == null || "auto".equals(value)) {
            return "auto";
        }
        if (!(value instanceof Number n) || (integer && n.doubleValue() != Math.rint(n.doubleValue()))) {
            throw ApiException.invalid(param, "invalid_type", param + " must be " + (integer ? "an integer" : "a number")
                    + " or \"auto\", got " + value);
        }
        if (n.doubleValue() < min || n.doubleValue() > max) {
            throw ApiException.invalid(param, "invalid_value", param + " must be between " + format(min) + " and "
                    + format(max) + ", got " + value);
        }
        return integer ? (Object) n.intValue() : (Object) n.doubleValue();
    }

    private static String format(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    private static LoraConfig lora(Object value) {
        if (value == null) {
            return new LoraConfig(16, 32, 0.05, LoraConfig.MODULES, false, "");
        }
        if (!(value instanceof JsonObject l)) {
            throw ApiException.invalid("lora", "invalid_type", "lora must be an object {r, alpha, dropout, target_modules}");
        }
        try {
            int r = l.getValue("r") == null ? 16 : Math.toIntExact(integer(l, "r", "lora.r"));
            Object alpha = l.getValue("alpha");
            Object dropout = l.getValue("dropout");
            if ((alpha != null && !(alpha instanceof Number)) || (dropout != null && !(dropout instanceof Number))) {
                throw ApiException.invalid(alpha != null && !(alpha instanceof Number) ? "lora.alpha" : "lora.dropout",
                        "invalid_type", "lora.alpha and lora.dropout must be numbers");
            }
            List<String> modules = LoraConfig.MODULES;
            Object targets = l.getValue("target_modules");
            if (targets != null) {
                if (!(targets instanceof JsonArray array) || array.stream().anyMatch(t -> !(t instanceof String))) {
                    throw ApiException.invalid("lora.target_modules", "invalid_type", "lora.target_modules must be a list of names");
                }
                modules = new ArrayList<>();
                for (Object t : array) {
                    modules.add((String) t);
                }
            }
            return new LoraConfig(r, alpha == null ? 2.0 * r : ((Number) alpha).doubleValue(),
                    dropout == null ? 0.05 : ((Number) dropout).doubleValue(), modules, false, "");
        } catch (LoraException e) {
            throw ApiException.invalid("lora", "invalid_lora", e.getMessage());
        }
    }

    private static String quantization(Object value) {
        if (value == null) {
            return "nf4";
        }
        if (!"nf4".equals(value) && !"none".equals(value)) {
            throw ApiException.invalid("quantization", "invalid_value", "quantization must be \"nf4\" or \"none\", got " + value);
        }
        return (String) value;
    }

    private static JsonObject accelerator(Object value) {
        if (value == null) {
            return new JsonObject().put("type", "cpu").put("count", 1);
        }
        if (!(value instanceof JsonObject a) || !ACCELERATORS.contains(String.valueOf(a.getValue("type")))) {
            throw ApiException.invalid("accelerator.type", "invalid_value", "accelerator.type must be one of cpu, nvidia, amd, apple");
        }
        Object count = a.getValue("count", 1);
        if (!(count instanceof Number n) || n.intValue() < 1 || n.doubleValue() != n.intValue()) {
            throw ApiException.invalid("accelerator.count", "invalid_value", "accelerator.count must be a positive integer");
        }
        return a.copy().put("count", n.intValue());
    }

    /** The request as stored with the job: every field resolved, "auto" kept as "auto". */
    JsonObject toJson() {
        JsonObject lora = new JsonObject().put("r", this.lora.r()).put("alpha", this.lora.alpha())
                .put("dropout", this.lora.dropout()).put("target_modules", new JsonArray(this.lora.targetModules()));
        return new JsonObject().put("model", model).put("training_file", trainingFile).put("validation_file", validationFile)
                .put("suffix", suffix).put("seed", seed).put("metadata", new JsonObject(new java.util.LinkedHashMap<>(metadata)))
                .put("hyperparameters", new JsonObject(new java.util.LinkedHashMap<>(hyperparameters))).put("lora", lora)
                .put("quantization", quantization).put("accelerator", accelerator).put("priority", priority)
                .put("baseline", baseline == null ? null : baseline.copy());
    }
}
