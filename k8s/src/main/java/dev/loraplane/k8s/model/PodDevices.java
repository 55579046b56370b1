package dev.loraplane.k8s.model;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The devices a pod of another workload holds on its node, counted as the kube-scheduler counts them
 * against the node's allocatable: a pod holds what it requests from the moment it is bound to a node
 * until it has ended.
 *
 * @param node the node the pod is bound to
 * @param devices extended resource ({@code nvidia.com/gpu}) → how many of them it holds, each more than 0
 */
public record PodDevices(String node, Map<String, Integer> devices) {

    public PodDevices {
        devices = Map.copyOf(devices);
    }

    /**
     * What {@code pod} holds of {@code resources}: empty when it holds none of them, as it is not bound
     * to a node yet, has ended (Succeeded or Failed), or requests none.
     */
    public static Optional<PodDevices> of(Pod pod, Collection<String> resources) {
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (node == null || node.isEmpty() || "Succeeded".equals(phase) || "Failed".equals(phase)) {
            return Optional.empty();
        }
        Map<String, Integer> devices = new HashMap<>();
        for (String resource : resources) {
            int n = request(pod.getSpec(), resource);
            if (n > 0) {
                devices.put(resource, n);
            }
        }
        return devices.isEmpty() ? Optional.empty() : Optional.of(new PodDevices(node, devices));
    }

    /**
     * The pod's request of {@code resource}, the kube-scheduler's sum: its containers run together, so
     * their requests add up; its init containers run one at a time before them, so the largest counts
     * when it is larger than that sum. A sidecar (an init container with {@code restartPolicy: Always})
     * runs on beside the init containers after it and beside the containers, so it adds to both.
     */
    static int request(PodSpec spec, String resource) {
        int running = spec.getContainers().stream().mapToInt(c -> request(c, resource)).sum();
        int sidecars = 0;
        int init = 0;
        for (Container c : spec.getInitContainers()) {
            int n = request(c, resource);
            if ("Always".equals(c.getRestartPolicy())) {
                sidecars += n;
                running += n;
                init = Math.max(init, sidecars);
            } else {
                init = Math.max(init, sidecars + n);
            }
        }
        return Math.max(running, init);
    }

    /**
     * A container's request of an extended resource. Such a request must equal its limit, and a
     * container that sets only the limit is given it as its request.
     */
    private static int request(Container container, String resource) {
        ResourceRequirements r = container.getResources();
        Quantity q = r == null || r.getRequests() == null ? null : r.getRequests().get(resource);
        if (q == null && r != null && r.getLimits() != null) {
            q = r.getLimits().get(resource);
        }
        return q == null ? 0 : q.getNumericalAmount().intValue();
    }
}
