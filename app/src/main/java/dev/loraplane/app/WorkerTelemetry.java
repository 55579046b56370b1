package dev.loraplane.app;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loraplane.engine.accelerator.AcceleratorPlugin;
import dev.loraplane.engine.accelerator.Accelerators;
import dev.loraplane.engine.accelerator.DeviceTelemetry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The worker's readings of the devices it trains on, as telemetry lines among its events:
 * {@code {"type": "telemetry", "host": "gpu-node-3", "devices": [{"vendor": "nvidia", "index": 0,
 * "product": …, "utilization": 0.97, "memory_used_bytes": …, "memory_total_bytes": …, "power_watts": …,
 * "temperature_celsius": …}]}}, one at the start and one every period. The control plane learns from
 * them how busy a job's devices are wherever it runs: a local child, an agent, a Kubernetes pod.
 *
 * <p>The plugin is the one {@code LORAPLANE_ACCELERATOR} names (the executors set it; cpu when unset),
 * and its devices are those {@code CUDA_VISIBLE_DEVICES} or {@code HIP_VISIBLE_DEVICES} leave visible.
 */
final class WorkerTelemetry implements AutoCloseable {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "worker-telemetry");
        t.setDaemon(true);
        return t;
    });

    private final Map<String, String> env;
    private final Duration period;
    private final Consumer<ObjectNode> print;
    private boolean started;

    /** @param print prints one line; called from the telemetry thread */
    WorkerTelemetry(Map<String, String> env, Duration period, Consumer<ObjectNode> print) {
        this.env = env;
        this.period = period;
        this.print = print;
    }

    /**
     * Starts printing, once: a reading now, then one every period. Training calls it when it starts, so
     * a job refused before its first step prints no reading. A host without the named plugin prints none.
     */
    synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        String vendor = env.getOrDefault("LORAPLANE_ACCELERATOR", "cpu");
        Optional<AcceleratorPlugin> plugin = Accelerators.plugin(vendor);
        if (plugin.isPresent() && !period.isZero() && !period.isNegative() && !timer.isShutdown()) {
            Set<Integer> visible = visible(env, vendor);
            String host = hostName();
            timer.scheduleWithFixedDelay(() -> {
                try {
                    List<DeviceTelemetry> readings = plugin.get().sample().stream()
                            .filter(d -> visible == null || visible.contains(d.index())).toList();
                    if (!readings.isEmpty()) {
                        print.accept(line(host, readings));
                    }
                } catch (RuntimeException e) {
                    // a failing tool costs this reading only; training goes on
                }
            }, 0, period.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    static ObjectNode line(String host, List<DeviceTelemetry> readings) {
        ObjectNode line = EventJson.JSON.createObjectNode().put("type", "telemetry").put("host", host);
        ArrayNode devices = line.putArray("devices");
        readings.forEach(r -> devices.add(EventJson.JSON.valueToTree(r)));
        return line;
    }

    /** The device indices the environment leaves visible to this process; null when it does not restrict them. */
    static Set<Integer> visible(Map<String, String> env, String vendor) {
        String list = switch (vendor) {
            case "nvidia" -> env.get("CUDA_VISIBLE_DEVICES");
            case "amd" -> env.getOrDefault("HIP_VISIBLE_DEVICES", env.get("ROCR_VISIBLE_DEVICES"));
            default -> null;
        };
        if (list == null || list.isBlank() || !list.strip().matches("\\d+(\\s*,\\s*\\d+)*")) {
            return null;   // unset, or GPU UUIDs: the tool's indices cannot be matched, so all are read
        }
        return Arrays.stream(list.split(",")).map(String::strip).map(Integer::valueOf).collect(Collectors.toSet());
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** Stops printing: no reading follows the line that ends the job. */
    @Override
    public synchronized void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
