package dev.loraplane.engine.generate;

/**
 * One sequence to continue.
 *
 * @param promptTokenIds the prompt, at least one token
 * @param sampling how to pick each next token
 */
public record GenerationRequest(int[] promptTokenIds, SamplingParams sampling) {

    public GenerationRequest {
        if (promptTokenIds.length == 0) {
            throw new IllegalArgumentException("the prompt is empty: at least one token is needed");
        }
        promptTokenIds = promptTokenIds.clone();
    }
}
