package dev.loraplane.orchestrator.metrics;

import dev.loraplane.orchestrator.executor.DevicePool;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The devices jobs can run on, as {@code GET /v1/capacity} shows them, for Prometheus:
 * {@code loraplane_capacity_devices{executor,accelerator,product,state}} with {@code state} {@code total}
 * or {@code free}, and {@code loraplane_capacity_largest_free_devices{executor,accelerator,product}}, the
 * most free devices on one machine (the largest attempt that fits now).
 *
 * <p>Pools of one executor with the same type and product (two agents with the same Mac) are summed;
 * the largest free count is the largest of theirs. Only pools that exist have series: a pool that is
 * gone (a node drained, an agent left) loses its series at the next {@link #refresh}. {@code accelerator}
 * is one of {@link ControlPlaneMetrics#ACCELERATORS}, else {@code other}.
 */
public final class CapacityMetrics implements MeterBinder {

    /** How often the control plane reads the pools again. */
    public static final Duration REFRESH = Duration.ofSeconds(5);

    private final Supplier<List<DevicePool>> pools;
    private MultiGauge devices;
    private MultiGauge largestFree;

    /** @param pools every executor's device pools, as the scheduler sees them */
    public CapacityMetrics(Supplier<List<DevicePool>> pools) {
        this.pools = pools;
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        devices = MultiGauge.builder("loraplane.capacity.devices")
                .description("Devices jobs can run on, by executor, type and product: in all, and free").register(registry);
        largestFree = MultiGauge.builder("loraplane.capacity.largest.free.devices")
                .description("The most free devices on one machine: the largest attempt that fits now").register(registry);
    }

    /** Reads the pools again and sets the gauges to them. Call it off the event loop. */
    public synchronized void refresh() {
        if (devices == null) {
            throw new IllegalStateException("bind the capacity metrics to a registry first");
        }
        Map<Key, Sum> sums = new LinkedHashMap<>();
        for (DevicePool p : pools.get()) {
            sums.merge(new Key(p.executor(), accelerator(p.type()), p.product()),
                    new Sum(p.total(), Math.max(0, p.free()), Math.max(0, p.largestFree())), Sum::plus);
        }
        List<MultiGauge.Row<?>> deviceRows = new ArrayList<>();
        List<MultiGauge.Row<?>> largestRows = new ArrayList<>();
        sums.forEach((key, sum) -> {
            Tags tags = Tags.of("executor", key.executor(), "accelerator", key.accelerator(), "product", key.product());
            deviceRows.add(MultiGauge.Row.of(tags.and("state", "total"), sum.total()));
            deviceRows.add(MultiGauge.Row.of(tags.and("state", "free"), sum.free()));
            largestRows.add(MultiGauge.Row.of(tags, sum.largestFree()));
        });
        devices.register(deviceRows, true);
        largestFree.register(largestRows, true);
    }

    private record Key(String executor, String accelerator, String product) {}

    private record Sum(int total, int free, int largestFree) {

        Sum plus(Sum other) {
            return new Sum(total + other.total, free + other.free, Math.max(largestFree, other.largestFree));
        }
    }

    private static String accelerator(String type) {
        return ControlPlaneMetrics.ACCELERATORS.contains(type) ? type : "other";
    }
}
