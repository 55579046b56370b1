package dev.loraplane.orchestrator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.orchestrator.executor.DevicePool;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The executors' device pools as Prometheus reads them from the control plane's registry. */
class CapacityMetricsTest {

    private static final String H100 = "NVIDIA H100 80GB HBM3";

    private final AtomicReference<List<DevicePool>> pools = new AtomicReference<>(List.of());
    private ControlPlaneMetrics metrics;
    private CapacityMetrics capacity;

    @BeforeEach
    void bind() {
        metrics = new ControlPlaneMetrics();
        capacity = new CapacityMetrics(pools::get);
        capacity.bindTo(metrics.registry());
    }

    @AfterEach
    void close() {
        metrics.close();
    }

    private List<String> samples() {
        return metrics.scrape().lines().filter(l -> l.startsWith("loraplane_capacity_")).toList();
    }

    @Test
    void everyPoolIsATotalAndAFreeGaugeWithTheLargestAttemptThatFits() {
        pools.set(List.of(new DevicePool("local", "host", "cpu", "AMD EPYC 9654", 2, 1),
                new DevicePool("kubernetes", "training", "nvidia", H100, 16, 6, 8, 3),
                new DevicePool("agent", "mac-studio", "apple", "Apple M2 Ultra", 1, 1),
                new DevicePool("agent", "mac-mini", "apple", "Apple M2 Ultra", 1, 0)));
        capacity.refresh();

        assertThat(samples()).containsExactlyInAnyOrder(
                "loraplane_capacity_devices{accelerator=\"cpu\",executor=\"local\",product=\"AMD EPYC 9654\",state=\"total\"} 2.0",
                "loraplane_capacity_devices{accelerator=\"cpu\",executor=\"local\",product=\"AMD EPYC 9654\",state=\"free\"} 1.0",
                "loraplane_capacity_devices{accelerator=\"nvidia\",executor=\"kubernetes\",product=\"" + H100 + "\",state=\"total\"} 16.0",
                "loraplane_capacity_devices{accelerator=\"nvidia\",executor=\"kubernetes\",product=\"" + H100 + "\",state=\"free\"} 6.0",
                // Two agents with the same Mac: summed, never one series per agent.
                "loraplane_capacity_devices{accelerator=\"apple\",executor=\"agent\",product=\"Apple M2 Ultra\",state=\"total\"} 2.0",
                "loraplane_capacity_devices{accelerator=\"apple\",executor=\"agent\",product=\"Apple M2 Ultra\",state=\"free\"} 1.0",
                "loraplane_capacity_largest_free_devices{accelerator=\"cpu\",executor=\"local\",product=\"AMD EPYC 9654\"} 1.0",
                "loraplane_capacity_largest_free_devices{accelerator=\"nvidia\",executor=\"kubernetes\",product=\"" + H100 + "\"} 3.0",
                "loraplane_capacity_largest_free_devices{accelerator=\"apple\",executor=\"agent\",product=\"Apple M2 Ultra\"} 1.0");
    }

    @Test
    void aPoolThatIsGoneLosesItsSeriesAndAChangedOneShowsItsNewCounts() {
        pools.set(List.of(new DevicePool("kubernetes", "training", "nvidia", H100, 8, 8),
                new DevicePool("kubernetes", "training", "nvidia", "NVIDIA-L4", 4, 4)));
        capacity.refresh();
        assertThat(samples()).anyMatch(l -> l.contains("NVIDIA-L4"));

        pools.set(List.of(new DevicePool("kubernetes", "training", "nvidia", H100, 8, 5)));   // the L4 node is drained
        capacity.refresh();

        assertThat(samples()).noneMatch(l -> l.contains("NVIDIA-L4"))
                .contains("loraplane_capacity_devices{accelerator=\"nvidia\",executor=\"kubernetes\",product=\"" + H100
                        + "\",state=\"free\"} 5.0");
    }

    @Test
    void anUnknownDeviceTypeIsCountedAsOther() {
        pools.set(List.of(new DevicePool("agent", "box", "tpu", "v5e", 4, 4)));
        capacity.refresh();

        assertThat(samples()).contains(
                "loraplane_capacity_devices{accelerator=\"other\",executor=\"agent\",product=\"v5e\",state=\"total\"} 4.0");
    }
}
