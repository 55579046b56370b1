package dev.loraplane.orchestrator.evals;

import io.vertx.core.json.JsonObject;

/**
 * One way of answering: a model (the base model or an adapter) with an optional prompt recipe.
 *
 * @param model the base model's name or an adapter's; null for a job's adapter not trained yet
 * @param system the recipe's system prompt, or null
 * @param fewShotFile a file (id) whose examples are drawn as few-shot turns, or null
 * @param fewShotCount how many to draw from it
 * @param template the recipe's template with {@value PromptRecipe#INPUT}, or null
 */
public record Variant(String name, String model, String system, String fewShotFile, int fewShotCount, String template) {

    /** This variant answering with {@code model}. */
    public Variant withModel(String model) {
        return new Variant(name, model, system, fewShotFile, fewShotCount, template);
    }

    public JsonObject toJson() {
        JsonObject prompt = new JsonObject().put("system", system).put("few_shot_file", fewShotFile)
                .put("few_shot_count", fewShotFile == null ? null : fewShotCount).put("template", template);
        return new JsonObject().put("name", name).put("model", model).put("prompt", prompt);
    }

    public static Variant fromJson(JsonObject j) {
        JsonObject p = j.getJsonObject("prompt", new JsonObject());
        return new Variant(j.getString("name"), j.getString("model"), p.getString("system"), p.getString("few_shot_file"),
                p.getValue("few_shot_count") == null ? 0 : p.getInteger("few_shot_count"), p.getString("template"));
    }
}
