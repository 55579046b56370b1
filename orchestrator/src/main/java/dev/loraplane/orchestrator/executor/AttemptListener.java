package dev.loraplane.orchestrator.executor;

/** Hears what an attempt does: each JSON line its worker prints, then how it ended. Called from executor threads. */
public interface AttemptListener {

    /** A line of {@code loraplane worker}'s output (one JSON object). */
    void line(String line);

    /**
     * Something the executor saw happen to the attempt outside its worker, for the job's events: its
     * pod waits for a node ("0/3 nodes are available: 3 Insufficient nvidia.com/gpu"), it was bound to
     * one. Each distinct message is said once.
     *
     * @param level {@code info} or {@code warn}
     */
    default void event(String level, String message) {
    }

    /** The attempt is over; nothing is heard after this. */
    void exited(AttemptExit exit);
}
