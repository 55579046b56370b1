package dev.loraplane.serving.batch;

import java.time.Duration;

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
 * @param burstWindow how long an idle engine woken by a request waits for the next one before it
 *     starts, again after each that arrives, for at most {@link #MAX_BURST_WINDOWS} windows in all:
 *     requests sent together are then prefilled together rather than the first alone and the rest
 *     a step later; zero starts at once
 */
public record BatchConfig(int maxBatch, int capacity, int queueCapacity, int maxAdaptersPerStep, Duration burstWindow) {

    /**
     * The default {@link #burstWindow}. A client sends a burst within microseconds, but on a busy
     * machine its thread can lose the CPU for a while between two sends. A lone request waits this
     * once, a small part of its first token's time.
     */
    public static final Duration BURST_WINDOW = Duration.ofMillis(1);
    /** How long, in windows, an idle engine waits at most for one burst to end. */
    public static final int MAX_BURST_WINDOWS = 10;

    public BatchConfig(int maxBatch, int capacity, int queueCapacity, int maxAdaptersPerStep) {
        this(maxBatch, capacity, queueCapacity, maxAdaptersPerStep, BURST_WINDOW);
    }

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
        if (burstWindow.isNegative()) {
            throw new IllegalArgumentException("burstWindow must not be negative, got " + burstWindow);
        }
    }
}
