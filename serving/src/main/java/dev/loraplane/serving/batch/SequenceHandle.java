package dev.loraplane.serving.batch;

import java.util.concurrent.CompletableFuture;

/**
 * A submitted request: its completion, and a way to cancel it. A cancelled request leaves its row (or
 * the queue) at the next step and completes with {@value Completion#CANCELLED}.
 */
public final class SequenceHandle {

    private final long id;
    private final CompletableFuture<Completion> completion = new CompletableFuture<>();
    private volatile boolean cancelled;

    SequenceHandle(long id) {
        this.id = id;
    }

    /** The engine's number for this request, in submission order. */
    public long id() {
        return id;
    }

    /**
     * Completes as the listener's {@code onComplete} is called, or exceptionally as its {@code
     * onFailure} is; dependent stages attached before then run on the engine's thread.
     */
    public CompletableFuture<Completion> completion() {
        return completion;
    }

    /** Asks the engine to drop the request (the client went away); harmless once it completed. */
    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }
}
