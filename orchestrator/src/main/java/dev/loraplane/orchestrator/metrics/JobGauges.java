package dev.loraplane.orchestrator.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The gauges of running jobs ({@link JobFigure}): one is registered the first time its figure is
 * reported, so a figure nobody measured has no series, and all of a job's are removed when it ends.
 */
final class JobGauges {

    private record Job(String tenant, Map<JobFigure, AtomicReference<Double>> values, Map<JobFigure, Meter> meters) {}

    private final MeterRegistry registry;
    private final Map<String, Job> jobs = new HashMap<>();

    JobGauges(MeterRegistry registry) {
        this.registry = registry;
    }

    synchronized void set(String jobId, String tenant, JobFigure figure, double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return;
        }
        Job job = jobs.computeIfAbsent(jobId, id -> new Job(tenant, new EnumMap<>(JobFigure.class), new EnumMap<>(JobFigure.class)));
        AtomicReference<Double> holder = job.values().get(figure);
        if (holder == null) {
            holder = new AtomicReference<>(value);
            job.values().put(figure, holder);
            job.meters().put(figure, Gauge.builder(figure.meterName(), holder, AtomicReference::get)
                    .description(figure.description()).tags("job_id", jobId, "tenant", job.tenant()).register(registry));
        }
        holder.set(value);
    }

    synchronized void jobEnded(String jobId) {
        Job job = jobs.remove(jobId);
        if (job != null) {
            job.meters().values().forEach(registry::remove);
        }
    }
}
