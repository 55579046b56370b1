package dev.loraplane.serving.batch;

/**
 * The shape of a {@link BatchEngine}.
 *
 * @param maxBatch rows decoded together in one step (vLLM's {@code max_num_seqs})
 * @param capacity KV-cache columns per row: the most tokens, prompt and reply together, a sequence
 *     can hold; a longer prompt is refused and a reply that fills it ends with {@code length}
 * @param queueCapacity requests that may wait for a row; one more is refused with {@link
 *     QueueFullException}
 * @param maxAdaptersPerStep the most distinct adapters active in one step (vLLM's {@code
 *     max_loras}); base-model rows need none
 */
public record BatchConfig(int maxBatch, int capacity, int queueCapacity, int maxAdaptersPerStep) {

    public BatchConfig {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        if (capacity < 2) {
            throw new IllegalArgumentException("capacity must be >= 2 columns, got " + capacity);
        }
        if (queueCapacity < 0) {
            throw new IllegalArgumentException("queueCapacity must be >= 0, got " + queueCapacity);
        }
        if (maxAdaptersPerStep < 1) {
            throw new IllegalArgumentException("maxAdaptersPerStep must be >= 1, got " + maxAdaptersPerStep);
        }
    }
}
