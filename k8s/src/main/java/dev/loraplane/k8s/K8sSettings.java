package dev.loraplane.k8s;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How loraplane uses a cluster.
 *
 * @param namespace where training Jobs, their spec ConfigMaps and the leader Lease live
 * @param images device type → the worker's container image (JDK + {@code loraplane.jar}, libtorch for
 *     the device); a type left out runs its accelerator plugin's default image
 * @param workerCommand the command that starts a worker in that image, before {@code --spec FILE}
 * @param mounts the volumes every worker mounts: the control plane's data directory (artifacts,
 *     models, jobs) at the path the control plane sees it, so the paths in a job spec hold in the pod
 * @param activeDeadlineSeconds how long an attempt may run before Kubernetes stops it
 * @param ttlSecondsAfterFinished how long a finished Job and its pod stay for their logs
 * @param kueueQueue the Kueue {@code LocalQueue} that admits training Jobs, or null without Kueue
 * @param cpuRequest the CPU each worker requests ("4")
 * @param memoryRequest the memory each worker requests and is limited to ("16Gi")
 * @param cpuSlots CPU-only attempts the cluster runs at once (0: none)
 * @param leaseName the {@code coordination.k8s.io/v1} Lease replicas elect a leader with
 */
public record K8sSettings(String namespace, Map<String, String> images, List<String> workerCommand, List<Mount> mounts,
        long activeDeadlineSeconds, int ttlSecondsAfterFinished, String kueueQueue, String cpuRequest, String memoryRequest,
        int cpuSlots, String leaseName) {

    /**
     * A PersistentVolumeClaim mounted into every worker.
     *
     * @param claim the claim's name
     * @param path where it is mounted
     */
    public record Mount(String claim, String path, boolean readOnly) {}

    public K8sSettings {
        Objects.requireNonNull(namespace, "namespace");
        images = Map.copyOf(images);
        workerCommand = List.copyOf(workerCommand);
        mounts = List.copyOf(mounts);
        if (workerCommand.isEmpty()) {
            throw new IllegalArgumentException("the worker command is empty; expected e.g. [loraplane, worker]");
        }
    }

    /**
     * Settings that suit a small cluster: the plugins' images, the data claim {@code loraplane-data}
     * at {@code dataDir}.
     */
    public static K8sSettings defaults(String namespace, String dataDir) {
        return new K8sSettings(namespace, Map.of(), List.of("loraplane", "worker"),
                List.of(new Mount("loraplane-data", dataDir, false)), 86_400, 3_600, null, "4", "16Gi", 0, "loraplane-scheduler");
    }

    /** These settings with other images. */
    public K8sSettings withImages(Map<String, String> images) {
        return new K8sSettings(namespace, images, workerCommand, mounts, activeDeadlineSeconds, ttlSecondsAfterFinished,
                kueueQueue, cpuRequest, memoryRequest, cpuSlots, leaseName);
    }
}
