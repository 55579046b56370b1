package dev.loraplane.serving.batch;

/** The engine's waiting queue is full: the request was not taken (HTTP 429 with {@code Retry-After}). */
public final class QueueFullException extends RuntimeException {

    private final int queueCapacity;

    public QueueFullException(int queueCapacity) {
        super("the server is busy: " + queueCapacity + " requests already wait for a batch row; retry in "
                + retryAfterSeconds() + " s");
        this.queueCapacity = queueCapacity;
    }

    public int queueCapacity() {
        return queueCapacity;
    }

    /** The delay to suggest in {@code Retry-After}: rows free within a few decode steps. */
    public static int retryAfterSeconds() {
        return 1;
    }
}
