package dev.loraplane.orchestrator.executor;

/** Hears what an attempt does: each JSON line its worker prints, then how it ended. Called from executor threads. */
public interface AttemptListener {

    /** A line of {@code loraplane worker}'s output (one JSON object). */
    void line(String line);

    /** The attempt is over; nothing is heard after this. */
    void exited(AttemptExit exit);
}
