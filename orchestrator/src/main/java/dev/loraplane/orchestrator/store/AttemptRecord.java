package dev.loraplane.orchestrator.store;

/**
 * One try at running a job, as the store keeps it: where it ran, on what, and what it cost.
 *
 * @param number 1 for the first attempt
 * @param executor the executor that ran it: {@code local}, {@code agent:<id>}, {@code kubernetes}
 * @param accelerator the device type: cpu, nvidia, amd, apple
 * @param product the device product when one was asked for or known, else null
 * @param devices how many devices it held
 * @param endedAt epoch seconds; null while it runs
 * @param outcome how it ended: succeeded, failed, cancelled, retried, requeued; null while it runs
 * @param deviceSeconds devices × seconds held; null while it runs
 * @param costUsd device-hours × the price of its accelerator; null while it runs
 * @param billedUntil epoch milliseconds up to which its device time is in the cost counters; null before
 *     the first bill
 * @param effectiveUsd its effective cost in the counters so far; null before a reading of utilization
 */
public record AttemptRecord(String jobId, int number, String executor, String accelerator, String product, int devices,
        long startedAt, Long endedAt, String outcome, Double deviceSeconds, Double costUsd, Long billedUntil,
        Double effectiveUsd) {

    /** An attempt starting now. */
    public static AttemptRecord started(String jobId, int number, String executor, String accelerator, String product, int devices,
            long at) {
        return new AttemptRecord(jobId, number, executor, accelerator, product, devices, at, null, null, null, null, null, null);
    }
}
