package dev.loraplane.orchestrator.evals;

import io.vertx.core.json.JsonObject;

/**
 * One example run through one variant: the answer, its checks, the reference's teacher-forced score
 * and what serving it took. One line of the results JSONL.
 *
 * @param example the example's index in the dataset
 * @param variant the variant's name
 * @param finishReason {@code stop} or {@code length}
 * @param promptTokens tokens of the prompt the variant sent (recipe included)
 * @param completionTokens tokens generated
 * @param latencySeconds admitted to a batch row until the last token
 * @param prefillSeconds its share of the forward pass that prefilled it (prompts prefilled together split
 *     the pass by prompt tokens): summed over results, the device time prefill used
 * @param runSecondsShare the wall time of the batched run this query was part of, divided by that
 *     run's queries: summed over results, the device time the eval used
 * @param referenceTokens tokens of the reference answer, end-of-turn included
 * @param referenceCorrect of them, those the variant ranks first given the true tokens before
 * @param referenceLoss sum over them of −ln p, in nats
 * @param jsonValid null when not checked
 * @param regexMatch null when not checked
 */
public record ExampleResult(int example, String variant, String output, String reference, String finishReason, int promptTokens,
        int completionTokens, double latencySeconds, double prefillSeconds, double runSecondsShare, boolean exactMatch,
        boolean normalizedMatch, int referenceTokens, int referenceCorrect, double referenceLoss, Boolean jsonValid,
        Boolean regexMatch) {

    public JsonObject toJson() {
        return new JsonObject().put("example", example).put("variant", variant).put("output", output).put("reference", reference)
                .put("finish_reason", finishReason).put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
                .put("latency_seconds", latencySeconds).put("prefill_seconds", prefillSeconds)
                .put("run_seconds_share", runSecondsShare).put("exact_match", exactMatch).put("normalized_match", normalizedMatch)
                .put("reference_tokens", referenceTokens).put("reference_correct", referenceCorrect)
                .put("reference_loss", referenceLoss).put("json_valid", jsonValid).put("regex_match", regexMatch);
    }

    public static ExampleResult fromJson(JsonObject j) {
        return new ExampleResult(j.getInteger("example"), j.getString("variant"), j.getString("output"), j.getString("reference"),
                j.getString("finish_reason"), j.getInteger("prompt_tokens"), j.getInteger("completion_tokens"),
                j.getDouble("latency_seconds"), j.getDouble("prefill_seconds"), j.getDouble("run_seconds_share"),
                j.getBoolean("exact_match"), j.getBoolean("normalized_match"), j.getInteger("reference_tokens"),
                j.getInteger("reference_correct"), j.getDouble("reference_loss"), j.getBoolean("json_valid"),
                j.getBoolean("regex_match"));
    }
}
