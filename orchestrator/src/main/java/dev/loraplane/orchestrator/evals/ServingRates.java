package dev.loraplane.orchestrator.evals;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What serving costs on the device the eval ran on, measured by the eval itself: seconds per prompt
 * token (the prefill passes' time, each pass split among the prompts it held by their tokens) and
 * seconds per generated token (the rest of the runs' wall time, spread over the tokens decoded in
 * it), at the price table's USD per device-hour. A query then costs
 *
 * <pre>
 *   (prompt tokens · secondsPerPromptToken + completion tokens · secondsPerCompletionToken) · usdPerDeviceHour / 3600
 * </pre>
 *
 * so a variant with shorter prompts costs less in proportion, whichever variant happened to share a
 * batch with which.
 *
 * @param device the accelerator type and product priced, e.g. {@code cpu (AMD EPYC 7B13)}
 */
public record ServingRates(String device, double usdPerDeviceHour, double secondsPerPromptToken,
        double secondsPerCompletionToken) {

    /** The rates of the device time {@code results} record (every variant's, pooled). */
    public static ServingRates measured(List<ExampleResult> results, String device, double usdPerDeviceHour) {
        double prefill = 0;
        double wall = 0;
        long prompt = 0;
        long completion = 0;
        for (ExampleResult r : results) {
            prefill += r.prefillSeconds();
            wall += r.runSecondsShare();
            prompt += r.promptTokens();
            completion += r.completionTokens();
        }
        double decode = Math.max(0, wall - prefill);
        return new ServingRates(device, usdPerDeviceHour, prompt == 0 ? 0 : prefill / prompt,
                completion == 0 ? 0 : decode / completion);
    }

    /** Device-seconds of one query of these sizes. */
    public double seconds(double promptTokens, double completionTokens) {
        return promptTokens * secondsPerPromptToken + completionTokens * secondsPerCompletionToken;
    }

    /** USD of one query of these sizes. */
    public double usdPerQuery(double promptTokens, double completionTokens) {
        return seconds(promptTokens, completionTokens) * usdPerDeviceHour / 3600.0;
    }

    public JsonObject toJson() {
        return new JsonObject().put("device", device).put("usd_per_device_hour", usdPerDeviceHour)
                .put("seconds_per_prompt_token", secondsPerPromptToken).put("seconds_per_completion_token", secondsPerCompletionToken);
    }
}
