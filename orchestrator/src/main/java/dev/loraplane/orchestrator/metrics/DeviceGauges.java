package dev.loraplane.orchestrator.metrics;

import dev.loraplane.engine.accelerator.DeviceTelemetry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The device series {@code loraplane_gpu_utilization_ratio}, {@code _memory_used_bytes},
 * {@code _memory_total_bytes}, {@code _power_watts} and {@code _temperature_celsius}, labelled
 * {@code host}, {@code device}, {@code vendor}, {@code product}, {@code job_id} and {@code tenant}:
 * the latest reading of each device that reported one, wherever work runs (this host's sampler, a
 * worker's telemetry lines). A device has one series per figure at a time; a figure its tool does not
 * report has none. Readings of an ended job, and readings older than {@code maxAge}, are dropped.
 */
final class DeviceGauges {

    private record Key(String host, String vendor, int index) {}

    private record Reading(DeviceTelemetry telemetry, String jobId, String tenant, long atNanos) {

        Tags tags(Key key) {
            return Tags.of("host", key.host(), "device", Integer.toString(key.index()), "vendor", key.vendor(),
                    "product", telemetry.product(), "job_id", jobId, "tenant", tenant);
        }
    }

    private record Figure(MultiGauge gauge, Function<DeviceTelemetry, Number> value) {}

    /** How many ended jobs are remembered, so a reading taken as one ended does not bring its series back. */
    private static final int ENDED_REMEMBERED = 1024;

    private final Map<Key, Reading> readings = new LinkedHashMap<>();
    private final Set<String> ended = new LinkedHashSet<>();
    private final List<Figure> figures;
    private final long maxAgeNanos;

    DeviceGauges(MeterRegistry registry, Duration maxAge) {
        this.maxAgeNanos = maxAge.toNanos();
        this.figures = List.of(
                figure(registry, "loraplane.gpu.utilization.ratio", "Busy fraction of the device, 0 to 1", DeviceTelemetry::utilization),
                figure(registry, "loraplane.gpu.memory.used.bytes", "Device memory in use (host memory for cpu)",
                        DeviceTelemetry::memoryUsedBytes),
                figure(registry, "loraplane.gpu.memory.total.bytes", "Device memory in all (host memory for cpu)",
                        DeviceTelemetry::memoryTotalBytes),
                figure(registry, "loraplane.gpu.power.watts", "Power draw of the device", DeviceTelemetry::powerWatts),
                figure(registry, "loraplane.gpu.temperature.celsius", "Core temperature of the device",
                        DeviceTelemetry::temperatureCelsius));
    }

    private static Figure figure(MeterRegistry registry, String name, String description,
            Function<DeviceTelemetry, Number> value) {
        return new Figure(MultiGauge.builder(name).description(description).register(registry), value);
    }

    /** Readings of {@code host}'s devices taken now; {@code jobId} and {@code tenant} are empty when no job runs on them. */
    synchronized void record(String host, String jobId, String tenant, List<DeviceTelemetry> devices) {
        long now = System.nanoTime();
        boolean running = jobId != null && !ended.contains(jobId);
        for (DeviceTelemetry device : devices) {
            readings.put(new Key(host, device.vendor(), device.index()),
                    new Reading(device, running ? jobId : "", running && tenant != null ? tenant : "", now));
        }
        publish(now);
    }

    /**
     * Drops the readings taken for {@code jobId}: its devices' series go until someone reads them again,
     * and a reading that still names the job (the host's sampler saw its worker before it exited) is
     * taken as one of an idle device.
     */
    synchronized void jobEnded(String jobId) {
        ended.add(jobId);
        if (ended.size() > ENDED_REMEMBERED) {
            ended.remove(ended.iterator().next());
        }
        if (readings.values().removeIf(r -> r.jobId().equals(jobId))) {
            publish(System.nanoTime());
        }
    }

    /** Drops readings older than the maximum age (a host that went away). */
    synchronized void expire() {
        publish(System.nanoTime());
    }

    private void publish(long now) {
        readings.values().removeIf(r -> now - r.atNanos() > maxAgeNanos);
        for (Figure figure : figures) {
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            readings.forEach((key, reading) -> {
                Number value = figure.value().apply(reading.telemetry());
                if (value != null) {
                    rows.add(MultiGauge.Row.of(reading.tags(key), value));
                }
            });
            figure.gauge().register(rows, true);
        }
    }
}
