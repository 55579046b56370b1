package dev.loraplane.k8s.model;

import dev.loraplane.engine.accelerator.KubernetesScheduling;
import dev.loraplane.orchestrator.executor.DevicePool;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The cluster's devices as device pools: for each device type the cluster schedules by an extended
 * resource ({@code nvidia.com/gpu}), the allocatable count of the Ready, schedulable nodes summed by
 * their product label, less what attempts hold and what the pods of other workloads running on those
 * nodes request; plus the configured CPU slots.
 *
 * <p>An attempt's devices are on one node, so each pool also says the most devices one node has, and
 * has free: an attempt's pod, like another workload's, holds devices on the node it is bound to, and
 * an attempt's pod not bound yet is counted against the node with the most free, as it may land there.
 * Two nodes with two free GPUs each make a pool of four free devices that takes no four-GPU attempt.
 */
public final class GpuInventory {

    /** The product of devices on nodes without the plugin's product label. */
    public static final String UNLABELLED = "unlabelled";

    /**
     * What one attempt holds, or the pods of other workloads on one node.
     *
     * @param node the node its pod is bound to, or null while it is not
     */
    public record Held(String type, String product, int devices, String node) {

        /** What it holds once its pod is bound to {@code node}. */
        public Held on(String node) {
            return new Held(type, product, devices, node);
        }
    }

    private GpuInventory() {}

    /**
     * @param node what the pools say they are on ({@code kubernetes:<node>}): the namespace
     * @param kinds device type → how the cluster schedules it; types without a resource name are skipped
     * @param cpuSlots CPU-only attempts that may run at once
     * @param others what the pods of other workloads hold
     */
    public static List<DevicePool> pools(String executor, String node, Collection<Node> nodes,
            Map<String, KubernetesScheduling> kinds, int cpuSlots, Collection<Held> held, Collection<PodDevices> others) {
        List<DevicePool> pools = new ArrayList<>();
        if (cpuSlots > 0) {
            int busy = held.stream().filter(h -> h.type().equals("cpu")).mapToInt(Held::devices).sum();
            pools.add(new DevicePool(executor, node, "cpu", "cpu", cpuSlots, cpuSlots - busy));
        }
        new TreeMap<>(kinds).forEach((type, scheduling) -> {
            String resource = scheduling.resourceName();
            if (resource.isEmpty()) {
                return;
            }
            Map<String, Integer> othersByNode = others.stream().collect(Collectors.groupingBy(PodDevices::node,
                    Collectors.summingInt(p -> p.devices().getOrDefault(resource, 0))));
            Map<String, Map<String, Integer>> byProduct = new TreeMap<>();   // product → node → allocatable
            List<Held> taken = new ArrayList<>(held);
            for (Node n : nodes) {
                int count = allocatable(n, resource);
                if (count > 0 && usable(n)) {
                    String name = n.getMetadata().getName();
                    String product = product(n, scheduling);
                    byProduct.computeIfAbsent(product, p -> new TreeMap<>()).put(name, count);
                    taken.add(new Held(type, product, othersByNode.getOrDefault(name, 0), name));
                }
            }
            byProduct.forEach((product, allocatable) -> pools.add(pool(executor, node, type, product, allocatable,
                    taken.stream().filter(h -> h.type().equals(type) && h.product().equals(product)).toList())));
        });
        return pools;
    }

    private static DevicePool pool(String executor, String where, String type, String product, Map<String, Integer> allocatable,
            List<Held> held) {
        Map<String, Integer> free = new HashMap<>(allocatable);
        int taken = 0;
        for (Held h : held) {
            if (h.node() != null && free.containsKey(h.node())) {
                free.merge(h.node(), -h.devices(), Integer::sum);
                taken += h.devices();
            }
        }
        List<Held> unbound = held.stream().filter(h -> h.node() == null)
                .sorted(Comparator.comparingInt(Held::devices).reversed()).toList();
        for (Held h : unbound) {   // the worst case for the largest: each lands on the node with the most free
            free.entrySet().stream().max(Map.Entry.comparingByValue())
                    .ifPresent(most -> most.setValue(most.getValue() - h.devices()));
            taken += h.devices();
        }
        int total = allocatable.values().stream().mapToInt(Integer::intValue).sum();
        int freeAll = Math.max(0, total - taken);
        int largestFree = Math.min(freeAll, Math.max(0, free.values().stream().mapToInt(Integer::intValue).max().orElse(0)));
        return new DevicePool(executor, where, type, product, total, freeAll,
                allocatable.values().stream().mapToInt(Integer::intValue).max().orElse(0), largestFree);
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
