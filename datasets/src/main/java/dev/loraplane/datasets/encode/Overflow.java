package dev.loraplane.datasets.encode;

/** What happens to an example longer than the maximum sequence length. */
public enum Overflow {
    /** Keep its first {@code maxTokens} tokens (as OpenAI's fine-tuning does). */
    TRUNCATE,
    /** Leave it out of training. */
    DROP
}
