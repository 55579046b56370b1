package dev.loraplane.orchestrator.evals;

import dev.loraplane.engine.tokenizer.Tokenizer;
import java.util.concurrent.CompletableFuture;

/**
 * What evals need from the serving layer in the same process: greedy answers from the batch engine
 * and teacher-forced scores of reference answers, for the base model or an adapter by name. The
 * launcher provides it when it serves ({@code loraplane up}); without one the control plane refuses
 * evals.
 */
public interface EvalBackend {

    /**
     * One answer.
     *
     * @param tokenIds the generated tokens, a stop token included
     * @param text the answer's text, special tokens left out
     * @param finishReason {@code stop} or {@code length}
     * @param latencySeconds admitted to a batch row until the last token
     * @param prefillSeconds its share of the forward pass that prefilled it, split by prompt tokens among
     *     the prompts prefilled together
     */
    record Answer(int[] tokenIds, String text, String finishReason, double latencySeconds, double prefillSeconds) {}

    /**
     * A reference answer's teacher-forced score.
     *
     * @param correct reference tokens the model ranks first
     * @param lossSum the sum of −ln p over the reference tokens, in nats
     */
    record Score(int tokens, int correct, double lossSum) {}

    /** The base model served. */
    String baseModel();

    Tokenizer tokenizer();

    /** The most tokens a sequence may hold, prompt and answer. */
    int maxContext();

    /** The accelerator type serving runs on, as the price table keys it ({@code cpu}, {@code nvidia} …). */
    String deviceType();

    /** The device's product name, for product prices ({@code nvidia:H100}); may be null. */
    String deviceProduct();

    /** Generates greedily for {@code model} (base or adapter, as {@code tenant} names it), in the batch of every other request. */
    CompletableFuture<Answer> generate(String tenant, String model, int[] prompt, int maxTokens);

    /** Scores {@code reference} after {@code prompt} under {@code model}, teacher-forced. */
    CompletableFuture<Score> score(String tenant, String model, int[] prompt, int[] reference);
}
