package dev.loraplane.engine.accelerator;

import java.util.List;

/**
 * How a pod asks Kubernetes for this kind of device. Built without any Kubernetes client: the k8s
 * module turns it into a pod spec.
 *
 * @param resourceName the extended resource the device plugin advertises, e.g. {@code nvidia.com/gpu};
 *     empty for cpu, which needs none
 * @param productLabel the node label holding the product name, e.g. {@code nvidia.com/gpu.product};
 *     empty when there is none
 * @param tolerations the taints GPU node pools usually carry
 * @param defaultImage the container image whose libtorch build drives this device
 */
public record KubernetesScheduling(
        String resourceName, String productLabel, List<Toleration> tolerations, String defaultImage) {

    public KubernetesScheduling {
        tolerations = List.copyOf(tolerations);
    }

    /** A pod toleration, as in {@code core/v1 Toleration}. */
    public record Toleration(String key, String operator, String value, String effect) {}
}
