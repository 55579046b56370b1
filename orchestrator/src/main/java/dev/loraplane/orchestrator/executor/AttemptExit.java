package dev.loraplane.orchestrator.executor;

/**
 * How an attempt's worker ended.
 *
 * @param code the worker's exit code: 0 done, 1 failed (it printed an error line), 143 stopped after
 *     a checkpoint; any other code, or {@link #LOST}, means the worker died
 * @param detail where to look or what happened, for the job's event ("its log is …", "agent … missed heartbeats")
 */
public record AttemptExit(int code, String detail) {

    /** The worker could not be heard from any more: a lost agent, a deleted pod. */
    public static final int LOST = -1;

    /** Exit code of a worker stopped by SIGTERM after it wrote a checkpoint. */
    public static final int STOPPED = 143;
}
