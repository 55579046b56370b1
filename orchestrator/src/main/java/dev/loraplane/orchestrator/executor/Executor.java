package dev.loraplane.orchestrator.executor;

import java.time.Instant;
import java.util.List;

/**
 * Where attempts run: child processes on this machine, remote agents, Kubernetes. The scheduler asks
 * each executor for its device pools, starts an attempt on one that has room, and hears back through
 * the attempt's listener. Implementations are thread-safe; {@link #start} and {@link #cancel} do not
 * block for long.
 */
public interface Executor {

    /** Names it in attempts, events and metrics: {@code local}, {@code agent}, {@code kubernetes}. */
    String name();

    /** Its devices now, by type and product, with how many are free. */
    List<DevicePool> pools();

    /**
     * Runs an attempt on {@code pool}'s devices. The listener hears the worker's JSON lines, then
     * exactly one exit.
     */
    void start(Attempt attempt, DevicePool pool, AttemptListener listener);

    /** Whether it is running (or, for a remote executor, still holds) this job's attempt. */
    boolean isRunning(String jobId);

    /**
     * Listens again to an attempt it still runs though the control plane that started it is gone (it
     * restarted, or another replica led): the listener hears the worker's lines written since
     * {@code since}, then the exit, as if it had started the attempt. False when it does not run
     * that attempt or it already has a listener; the runner then takes the attempt for lost.
     */
    default boolean adopt(String jobId, int attempt, Instant since, AttemptListener listener) {
        return false;
    }

    /** Stops the job's attempt: the worker is asked to checkpoint and stop, and is killed after a grace period. */
    void cancel(String jobId);

    /** Stops every attempt (the control plane is shutting down); their jobs resume at the next start. */
    void stopAll();

    /** Asks to hear when devices come or go (an agent joins, a node is added), so the scheduler looks again. */
    default void onCapacityChange(Runnable wake) {
    }
}
