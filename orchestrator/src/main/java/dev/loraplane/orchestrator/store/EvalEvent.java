package dev.loraplane.orchestrator.store;

/**
 * One entry of an eval's append-only event log, as {@link JobEvent} is for a job.
 *
 * @param seq 1, 2, … per eval, in the order they happened
 * @param level info, warn or error
 * @param type message, progress, status
 * @param data structured details (JSON), or null
 */
public record EvalEvent(String evalId, long seq, long createdAt, String level, String type, String message, String data) {

    /** The event id the API shows: stable, unique, ordered within an eval. */
    public String id() {
        return "evalevent-" + evalId.substring(evalId.indexOf('-') + 1) + "-" + seq;
    }
}
