package dev.loraplane.orchestrator.store;

/**
 * One entry of a job's append-only event log, what {@code GET /v1/fine_tuning/jobs/{id}/events} reads.
 *
 * @param seq 1, 2, … per job, in the order they happened
 * @param level info, warn or error
 * @param type message, metrics, status, checkpoint …
 * @param data structured details (JSON), or null
 */
public record JobEvent(String jobId, long seq, long createdAt, String level, String type, String message, String data) {

    /** The event id the API shows: stable, unique, ordered within a job. */
    public String id() {
        return "ftevent-" + jobId.substring(jobId.indexOf('-') + 1) + "-" + seq;
    }
}
