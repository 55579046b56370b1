package dev.loraplane.orchestrator.jobs;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes the {@link JobRunner}: on every message to its event-bus address (a job created or cancelled,
 * an attempt finished, capacity changed) and on a timer as a safety net. Sweeps run one at a time on
 * a worker thread, never on the event loop, and only while this process leads.
 */
public final class RunnerVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(RunnerVerticle.class);

    private final JobRunner runner;
    private final Leadership lock;
    private final String address;
    private final long sweepMillis;

    public RunnerVerticle(JobRunner runner, Leadership lock, String address, long sweepMillis) {
        this.runner = runner;
        this.lock = lock;
        this.address = address;
        this.sweepMillis = sweepMillis;
    }

    @Override
    public Future<?> start() {
        vertx.eventBus().<JsonObject>consumer(address, message -> {
            if ("cancelled".equals(message.body().getString("event"))) {
                String job = message.body().getString("job");
                vertx.executeBlocking(() -> {
                    runner.cancelled(job);
                    return null;
                });
            }
            sweep();
        });
        vertx.setPeriodic(sweepMillis, id -> sweep());
        sweep();
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        return vertx.executeBlocking(() -> {
            lock.close();
            return null;
        });
    }

    private void sweep() {
        vertx.executeBlocking(() -> {
            if (lock.acquire()) {
                runner.sweep();
            }
            return null;
        }, true).onFailure(e -> LOG.error("job sweep failed", e));
    }
}
