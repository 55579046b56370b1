package dev.loraplane.k8s;

import dev.loraplane.k8s.model.Labels;
import dev.loraplane.k8s.model.PodDevices;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.ReducedStateItemStore;
import java.net.HttpURLConnection;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The devices that the pods of other workloads hold, in every namespace: GPUs loraplane's attempts
 * cannot have while those pods run.
 *
 * <p>An informer on the pods not labelled {@code app.kubernetes.io/managed-by: loraplane} that have not
 * ended (a field selector on {@code status.phase}, so the API server sends a pod's end as its
 * deletion) keeps, for each pod bound to a node that requests devices, what it requests; its own store
 * keeps only the pods' keys. A change in what they hold wakes the scheduler.
 *
 * <p>Listing pods cluster-wide needs a ClusterRole that grants it. Without one the control plane warns
 * once and goes on, counting only what its own attempts hold.
 */
final class ForeignPods implements ResourceEventHandler<Pod>, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ForeignPods.class);

    private final Set<String> resources;
    private final Runnable changed;
    /** namespace/name → what the pod holds, for the pods that hold devices. */
    private final Map<String, PodDevices> holding = new ConcurrentHashMap<>();
    /** Null when the control plane may not list them. */
    private final SharedIndexInformer<Pod> informer;

    private ForeignPods(Set<String> resources, Runnable changed, SharedIndexInformer<Pod> informer) {
        this.resources = Set.copyOf(resources);
        this.changed = changed;
        this.informer = informer;
    }

    /**
     * Starts the informer and returns once it has listed the pods there are, or once the API server
     * has refused to list them.
     *
     * @param resources the extended resources counted ({@code nvidia.com/gpu})
     * @param changed called when what the pods hold changes
     */
    static ForeignPods watch(KubernetesClient client, Set<String> resources, Runnable changed) {
        FilterWatchListDeletable<Pod, PodList, PodResource> others = client.pods().inAnyNamespace()
                .withoutLabel(Labels.MANAGED_BY, Labels.MANAGER)
                .withoutField("status.phase", "Succeeded").withoutField("status.phase", "Failed");
        try {
            others.list(new ListOptionsBuilder().withLimit(1L).build());   // asked first: a refused informer logs its own error
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_FORBIDDEN) {
                throw e;
            }
            LOG.warn("The control plane may not list and watch pods in all namespaces ({}), so the GPUs that other workloads'"
                    + " pods hold are not subtracted from the device pools: only what loraplane's own attempts hold is, and"
                    + " an attempt may wait Pending for GPUs another pod holds. Grant its service account list and watch on"
                    + " pods cluster-wide (the ClusterRole in k8s/deploy/base/rbac.yaml) and restart it.",
                    e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage());
            return new ForeignPods(resources, changed, null);
        }
        ForeignPods pods = new ForeignPods(resources, changed, others.runnableInformer(0).itemStore(
                new ReducedStateItemStore<>(ReducedStateItemStore.NAME_KEY_STATE, Pod.class, client.getKubernetesSerialization())));
        pods.informer.addEventHandler(pods);
        pods.informer.run();
        return pods;
    }

    /** What the pods of other workloads hold now. */
    Collection<PodDevices> devices() {
        return List.copyOf(holding.values());
    }

    @Override
    public void onAdd(Pod pod) {
        held(pod, PodDevices.of(pod, resources).orElse(null));
    }

    @Override
    public void onUpdate(Pod old, Pod pod) {
        onAdd(pod);
    }

    @Override
    public void onDelete(Pod pod, boolean finalStateUnknown) {
        held(pod, null);
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
    }

    private void held(Pod pod, PodDevices now) {
        String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        PodDevices before = now == null ? holding.remove(key) : holding.put(key, now);
        if (!Objects.equals(before, now)) {
            changed.run();
        }
    }
}
