package dev.loraplane.k8s.model;

import dev.loraplane.engine.accelerator.KubernetesScheduling;
import dev.loraplane.orchestrator.executor.DevicePool;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cluster's devices as device pools: for each device type the cluster schedules by an extended
 * resource ({@code nvidia.com/gpu}), the allocatable count of the Ready, schedulable nodes summed by
 * their product label, less what attempts hold; plus the configured CPU slots.
 *
 * <p>A pool sums nodes: a two-device attempt counted against two nodes with one free device each
 * fits the pool but waits in Kubernetes until one node has two.
 */
public final class GpuInventory {

    /** The product of devices on nodes without the plugin's product label. */
    public static final String UNLABELLED = "unlabelled";

    /** What one attempt holds. */
    public record Held(String type, String product, int devices) {}

    private GpuInventory() {}

    /**
     * @param node what the pools say they are on ({@code kubernetes:<node>}): the namespace
     * @param kinds device type → how the cluster schedules it; types without a resource name are skipped
     * @param cpuSlots CPU-only attempts that may run at once
     */
    public static List<DevicePool> pools(String executor, String node, Collection<Node> nodes,
            Map<String, KubernetesScheduling> kinds, int cpuSlots, Collection<Held> held) {
        List<DevicePool> pools = new ArrayList<>();
        if (cpuSlots > 0) {
            pools.add(new DevicePool(executor, node, "cpu", "cpu", cpuSlots, cpuSlots - heldBy(held, "cpu", "cpu")));
        }
        new TreeMap<>(kinds).forEach((type, scheduling) -> {
            if (scheduling.resourceName().isEmpty()) {
                return;
            }
            Map<String, Integer> totals = new TreeMap<>();
            for (Node n : nodes) {
                int count = allocatable(n, scheduling.resourceName());
                if (count > 0 && usable(n)) {
                    totals.merge(product(n, scheduling), count, Integer::sum);
                }
            }
            totals.forEach((product, total) -> pools.add(new DevicePool(executor, node, type, product, total,
                    Math.max(0, total - heldBy(held, type, product)))));
        });
        return pools;
    }

    private static int heldBy(Collection<Held> held, String type, String product) {
        return held.stream().filter(h -> h.type().equals(type) && h.product().equals(product)).mapToInt(Held::devices).sum();
    }

    private static int allocatable(Node node, String resource) {
        Map<String, Quantity> allocatable = node.getStatus() == null ? null : node.getStatus().getAllocatable();
        Quantity q = allocatable == null ? null : allocatable.get(resource);
        return q == null ? 0 : q.getNumericalAmount().intValue();
    }

    private static boolean usable(Node node) {
        boolean cordoned = node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
        boolean ready = node.getStatus().getConditions() != null && node.getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
        return ready && !cordoned;
    }

    private static String product(Node node, KubernetesScheduling scheduling) {
        Map<String, String> labels = node.getMetadata().getLabels();
        String product = scheduling.productLabel().isEmpty() || labels == null ? null : labels.get(scheduling.productLabel());
        return product == null || product.isEmpty() ? UNLABELLED : product;
    }
}
