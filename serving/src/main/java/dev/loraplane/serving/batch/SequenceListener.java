package dev.loraplane.serving.batch;

/**
 * Follows one sequence as the engine produces it: each new token in order, then exactly one of
 * {@link #onComplete} or {@link #onFailure}. Called on the engine's thread between steps, so an
 * implementation hands work off (e.g. to a Vert.x context) rather than blocking; one that throws is
 * treated as a client that went away and its sequence is cancelled.
 */
public interface SequenceListener {

    /** Listens to nothing. */
    SequenceListener NONE = new SequenceListener() {};

    /** A new token of the reply, for streaming. */
    default void onToken(int tokenId) {}

    /** The sequence ended: by a stop, by its length, or cancelled. */
    default void onComplete(Completion completion) {}

    /** The sequence could not be run (e.g. the model failed on it); no completion follows. */
    default void onFailure(RuntimeException error) {}
}
