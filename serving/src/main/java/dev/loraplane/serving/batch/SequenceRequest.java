package dev.loraplane.serving.batch;

import dev.loraplane.engine.generate.SamplingParams;
import dev.loraplane.engine.lora.LoraAdapter;

/**
 * One sequence to continue in a {@link BatchEngine}.
 *
 * @param promptTokenIds the prompt, at least one token
 * @param sampling how to pick each next token, and when to stop
 * @param adapter the LoRA adapter to apply, or null for the base model; it must stay open until the
 *     request completes
 * @param listener told of each token and of the end, on the engine's thread
 */
public record SequenceRequest(int[] promptTokenIds, SamplingParams sampling, LoraAdapter adapter,
        SequenceListener listener) {

    public SequenceRequest {
        if (promptTokenIds.length == 0) {
            throw new IllegalArgumentException("the prompt is empty: at least one token is needed");
        }
        promptTokenIds = promptTokenIds.clone();
        listener = listener == null ? SequenceListener.NONE : listener;
    }

    /** A request whose caller only waits for the {@link SequenceHandle#completion() completion}. */
    public SequenceRequest(int[] promptTokenIds, SamplingParams sampling, LoraAdapter adapter) {
        this(promptTokenIds, sampling, adapter, SequenceListener.NONE);
    }
}
