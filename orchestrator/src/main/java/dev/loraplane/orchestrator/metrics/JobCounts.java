package dev.loraplane.orchestrator.metrics;

import dev.loraplane.orchestrator.store.JobStatus;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job counts the gauges report, read from the caller's suppliers at most once per {@code maxAge}.
 * The suppliers may query the database, so only {@link #refreshIfStale()} calls them (from the scrape,
 * off the event loop); the gauges read the last values and never block.
 */
final class JobCounts {

    private static final Logger LOG = LoggerFactory.getLogger(JobCounts.class);

    private final long maxAgeNanos;
    private volatile Supplier<Map<JobStatus, Long>> byStatus = Map::of;
    private volatile Supplier<Map<String, Long>> queuedByAccelerator = Map::of;
    private volatile Map<JobStatus, Long> statusCounts = Map.of();
    private volatile Map<String, Long> queueDepths = Map.of();
    private boolean fresh;
    private long readAt;

    JobCounts(Duration maxAge) {
        this.maxAgeNanos = maxAge.toNanos();
    }

    synchronized void readFrom(Supplier<Map<JobStatus, Long>> byStatus, Supplier<Map<String, Long>> queuedByAccelerator) {
        this.byStatus = byStatus;
        this.queuedByAccelerator = queuedByAccelerator;
        fresh = false;
    }

    /** Calls the suppliers unless they were called less than {@code maxAge} ago; a failing one leaves the last values. */
    synchronized void refreshIfStale() {
        long now = System.nanoTime();
        if (fresh && now - readAt < maxAgeNanos) {
            return;
        }
        try {
            statusCounts = Map.copyOf(byStatus.get());
            queueDepths = Map.copyOf(queuedByAccelerator.get());
        } catch (RuntimeException e) {
            LOG.warn("cannot count jobs for the metrics; reporting the counts read before: {}", e.toString());
        }
        fresh = true;
        readAt = now;
    }

    double jobs(JobStatus status) {
        return statusCounts.getOrDefault(status, 0L);
    }

    double queued(String accelerator) {
        return queueDepths.getOrDefault(accelerator, 0L);
    }
}
