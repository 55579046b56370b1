package dev.loraplane.orchestrator.jobs;

/**
 * Whether this control plane is the one that schedules: several may run against one store, one acts.
 * The PostgreSQL advisory lock is one implementation, a Kubernetes {@code Lease} another.
 */
public interface Leadership extends AutoCloseable {

    /** Whether this process leads now, trying to become leader when nobody is. Blocking; called before each sweep. */
    boolean acquire();

    /** Gives leadership up (shutdown), so a standby takes over at once. */
    @Override
    void close();
}
