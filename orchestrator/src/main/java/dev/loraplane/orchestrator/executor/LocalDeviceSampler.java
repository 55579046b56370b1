package dev.loraplane.orchestrator.executor;

import dev.loraplane.engine.accelerator.AcceleratorDevice;
import dev.loraplane.engine.accelerator.AcceleratorPlugin;
import dev.loraplane.engine.accelerator.DeviceTelemetry;
import dev.loraplane.orchestrator.metrics.ControlPlaneMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the local executor's devices every few seconds through their plugins and hands the readings
 * to the metrics, each under the job that holds the device, so the host's devices have series whether
 * or not a job runs on them. A worker's own readings of the same devices replace these as they come.
 */
public final class LocalDeviceSampler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalDeviceSampler.class);

    private final LocalExecutor executor;
    private final Function<String, Optional<AcceleratorPlugin>> plugins;
    private final ControlPlaneMetrics metrics;
    /** One plugin per vendor for the sampler's life: the cpu plugin measures utilization since its previous sample. */
    private final Map<String, Optional<AcceleratorPlugin>> resolved = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "local-device-sampler");
        t.setDaemon(true);
        return t;
    });

    /** @param plugins a vendor's plugin by name ({@code Accelerators::plugin}) */
    public LocalDeviceSampler(LocalExecutor executor, Function<String, Optional<AcceleratorPlugin>> plugins,
            ControlPlaneMetrics metrics) {
        this.executor = executor;
        this.plugins = plugins;
        this.metrics = metrics;
    }

    /** Samples at once, then every {@code period}. */
    public LocalDeviceSampler start(Duration period) {
        timer.scheduleWithFixedDelay(this::sample, 0, period.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** One reading of every device the executor may use. */
    void sample() {
        Map<String, Set<Integer>> wanted = executor.devices().stream().collect(Collectors.groupingBy(AcceleratorDevice::vendor,
                Collectors.mapping(AcceleratorDevice::index, Collectors.toSet())));
        wanted.forEach((vendor, indices) -> resolved.computeIfAbsent(vendor, plugins).ifPresent(plugin -> {
            try {
                for (DeviceTelemetry reading : plugin.sample()) {
                    if (indices.contains(reading.index())) {
                        Optional<Attempt> holder = executor.holder(vendor, reading.index());
                        metrics.deviceReadings(executor.host(), holder.map(Attempt::jobId).orElse(null),
                                holder.map(Attempt::tenant).orElse(null), List.of(reading));
                    }
                }
            } catch (RuntimeException e) {
                LOG.warn("cannot read the {} devices of this host: {}", vendor, e.toString());
            }
        }));
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
