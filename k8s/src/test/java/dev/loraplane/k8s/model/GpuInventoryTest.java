package dev.loraplane.k8s.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.engine.accelerator.AcceleratorPlugin;
import dev.loraplane.engine.accelerator.Accelerators;
import dev.loraplane.engine.accelerator.KubernetesScheduling;
import dev.loraplane.orchestrator.executor.DevicePool;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Device pools from the nodes' allocatable resources and product labels. */
class GpuInventoryTest {

    static final Map<String, KubernetesScheduling> KINDS = Accelerators.plugins().stream()
            .collect(Collectors.toMap(AcceleratorPlugin::name, AcceleratorPlugin::scheduling));

    /** A node as the device plugin and GPU feature discovery leave it. */
    static Node node(String name, String resource, int count, String productLabel, String product, boolean ready) {
        NodeBuilder node = new NodeBuilder().withNewMetadata().withName(name).endMetadata();
        if (product != null) {
            node.editMetadata().addToLabels(productLabel, product).endMetadata();
        }
        return node.withNewStatus().addToAllocatable(resource, new Quantity(String.valueOf(count)))
                .addToAllocatable("cpu", new Quantity("64")).addNewCondition().withType("Ready")
                .withStatus(ready ? "True" : "False").endCondition().endStatus().build();
    }

    @Test
    void nodesAreSummedByProductLessWhatAttemptsHold() {
        List<Node> nodes = List.of(
                node("a", "nvidia.com/gpu", 8, "nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3", true),
                node("b", "nvidia.com/gpu", 8, "nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3", true),
                node("c", "nvidia.com/gpu", 4, "nvidia.com/gpu.product", "NVIDIA-L4", true),
                node("d", "nvidia.com/gpu", 4, "nvidia.com/gpu.product", "NVIDIA-L4", false),
                node("e", "amd.com/gpu", 8, "amd.com/gpu.product-name", null, true),
                node("f", "cpu", 64, "none", null, true));
        List<GpuInventory.Held> held = List.of(new GpuInventory.Held("nvidia", "NVIDIA-H100-80GB-HBM3", 2, "a"),
                new GpuInventory.Held("nvidia", "NVIDIA-H100-80GB-HBM3", 1, "b"), new GpuInventory.Held("cpu", "cpu", 1, null));

        assertThat(GpuInventory.pools("kubernetes", "training", nodes, KINDS, 2, held, List.of())).containsExactly(
                new DevicePool("kubernetes", "training", "cpu", "cpu", 2, 1),
                new DevicePool("kubernetes", "training", "amd", GpuInventory.UNLABELLED, 8, 8),
                new DevicePool("kubernetes", "training", "nvidia", "NVIDIA-H100-80GB-HBM3", 16, 13, 8, 7),
                new DevicePool("kubernetes", "training", "nvidia", "NVIDIA-L4", 4, 4));
    }

    @Test
    void freeDevicesOnSeparateNodesAreNotOneNodesWorth() {
        List<Node> nodes = List.of(node("a", "nvidia.com/gpu", 2, "nvidia.com/gpu.product", "NVIDIA-L4", true),
                node("b", "nvidia.com/gpu", 2, "nvidia.com/gpu.product", "NVIDIA-L4", true));

        DevicePool pool = GpuInventory.pools("kubernetes", "training", nodes, KINDS, 0, List.of(), List.of()).get(0);

        assertThat(pool).isEqualTo(new DevicePool("kubernetes", "training", "nvidia", "NVIDIA-L4", 4, 4, 2, 2));
        assertThat(pool.fits(2)).isTrue();
        assertThat(pool.fits(4)).as("2 + 2 on two nodes is no room for 4").isFalse();
    }

    @Test
    void anAttemptHoldsDevicesOnItsNodeAndOneNotYetBoundMayLandOnTheNodeWithTheMostFree() {
        List<Node> nodes = List.of(node("a", "nvidia.com/gpu", 8, "nvidia.com/gpu.product", "NVIDIA-H100", true),
                node("b", "nvidia.com/gpu", 8, "nvidia.com/gpu.product", "NVIDIA-H100", true),
                node("c", "nvidia.com/gpu", 8, "nvidia.com/gpu.product", "NVIDIA-H100", false));
        GpuInventory.Held onA = new GpuInventory.Held("nvidia", "NVIDIA-H100", 6, "a");
        GpuInventory.Held pending = new GpuInventory.Held("nvidia", "NVIDIA-H100", 4, null);
        GpuInventory.Held onTheNodeThatIsDown = new GpuInventory.Held("nvidia", "NVIDIA-H100", 8, "c");

        assertThat(GpuInventory.pools("kubernetes", "training", nodes, KINDS, 0, List.of(onA), List.of()))
                .containsExactly(new DevicePool("kubernetes", "training", "nvidia", "NVIDIA-H100", 16, 10, 8, 8));
        // a has 2 free, b 8; the pending four may take b's, leaving 4 together at most.
        assertThat(GpuInventory.pools("kubernetes", "training", nodes, KINDS, 0, List.of(onA, pending, onTheNodeThatIsDown),
                List.of()))
                .containsExactly(new DevicePool("kubernetes", "training", "nvidia", "NVIDIA-H100", 16, 6, 8, 4));
    }

    @Test
    void aCordonedNodeOffersNothing() {
        Node cordoned = new NodeBuilder(node("a", "nvidia.com/gpu", 8, "nvidia.com/gpu.product", "NVIDIA-A100", true))
                .withNewSpec().withUnschedulable(true).endSpec().build();

        assertThat(GpuInventory.pools("kubernetes", "training", List.of(cordoned), KINDS, 0, List.of(), List.of())).isEmpty();
    }

    @Test
    void otherWorkloadsPodsHoldDevicesOnTheirNodesInThePoolOfTheirProduct() {
        List<Node> nodes = List.of(node("a", "nvidia.com/gpu", 8, "nvidia.com/gpu.product", "NVIDIA-H100", true),
                node("b", "nvidia.com/gpu", 8, "nvidia.com/gpu.product", "NVIDIA-H100", true),
                node("c", "nvidia.com/gpu", 4, "nvidia.com/gpu.product", "NVIDIA-L4", true),
                node("d", "amd.com/gpu", 8, "amd.com/gpu.product-name", "MI300X", true));
        List<PodDevices> others = List.of(new PodDevices("a", Map.of("nvidia.com/gpu", 6)),
                new PodDevices("a", Map.of("nvidia.com/gpu", 1)), new PodDevices("c", Map.of("nvidia.com/gpu", 1)),
                new PodDevices("d", Map.of("amd.com/gpu", 8)), new PodDevices("gone", Map.of("nvidia.com/gpu", 8)));
        GpuInventory.Held onB = new GpuInventory.Held("nvidia", "NVIDIA-H100", 2, "b");

        assertThat(GpuInventory.pools("kubernetes", "training", nodes, KINDS, 0, List.of(onB), others)).containsExactly(
                new DevicePool("kubernetes", "training", "amd", "MI300X", 8, 0),
                new DevicePool("kubernetes", "training", "nvidia", "NVIDIA-H100", 16, 7, 8, 6),
                new DevicePool("kubernetes", "training", "nvidia", "NVIDIA-L4", 4, 3));
    }
}
