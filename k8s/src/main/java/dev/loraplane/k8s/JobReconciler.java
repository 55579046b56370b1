package dev.loraplane.k8s;

import dev.loraplane.k8s.model.TrainingJobManifest;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.net.HttpURLConnection;

/**
 * Applies an attempt's manifest: the Job, then its spec ConfigMap owned by the Job (so the Job's
 * garbage collection takes it along). Each is created unless it exists, so applying twice changes
 * nothing; the kubelet waits for the ConfigMap before it starts the container.
 */
final class JobReconciler {

    private final KubernetesClient client;

    JobReconciler(KubernetesClient client) {
        this.client = client;
    }

    void apply(TrainingJobManifest manifest) {
        Job job = createOrGet(client.batch().v1().jobs().resource(manifest.toJob()));
        ConfigMap spec = manifest.toConfigMap();
        spec.getMetadata().getOwnerReferences().add(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("Job")
                .withName(job.getMetadata().getName()).withUid(job.getMetadata().getUid()).build());
        createOrGet(client.configMaps().resource(spec));
    }

    private static <T extends HasMetadata> T createOrGet(Resource<T> resource) {
        try {
            return resource.create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
            return resource.get();   // it exists: an attempt is never created twice
        }
    }

    /** Deletes an attempt's Job, its pod after it (background propagation), and its ConfigMap. */
    void delete(String namespace, String name) {
        client.batch().v1().jobs().inNamespace(namespace).withName(name).withPropagationPolicy(DeletionPropagation.BACKGROUND)
                .delete();
        client.configMaps().inNamespace(namespace).withName(name).delete();
    }
}
