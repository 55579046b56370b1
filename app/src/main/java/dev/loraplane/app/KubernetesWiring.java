package dev.loraplane.app;

import dev.loraplane.k8s.K8sSettings;
import dev.loraplane.k8s.KubernetesExecutor;
import dev.loraplane.k8s.LeaseLeadership;
import dev.loraplane.orchestrator.config.ConfigFile;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code executors.kubernetes} of the config file as the pieces {@code loraplane up} plugs into the
 * control plane: the Kubernetes executor and the Lease that makes one replica the scheduler.
 *
 * @param client closed last, after the executor and the lease
 */
record KubernetesWiring(KubernetesClient client, KubernetesExecutor executor, LeaseLeadership leadership) implements AutoCloseable {

    /** Connects to the cluster kubectl would use (in-cluster service account, else the kubeconfig). */
    static KubernetesWiring connect(ConfigFile.KubernetesSettings config, Path dataDir) {
        KubernetesClient client = new KubernetesClientBuilder().build();
        K8sSettings settings = settings(config, dataDir);
        return new KubernetesWiring(client, KubernetesExecutor.connect(client, settings),
                new LeaseLeadership(client, settings.namespace(), settings.leaseName(), LeaseLeadership.podIdentity(),
                        LeaseLeadership.Timing.DEFAULT));
    }

    /** The executor's settings: workers run {@code loraplane worker} with the data claim at the control plane's data path. */
    static K8sSettings settings(ConfigFile.KubernetesSettings config, Path dataDir) {
        return new K8sSettings(config.namespace(), config.images(), List.of("loraplane", "worker"),
                List.of(new K8sSettings.Mount(config.dataClaim(), dataDir.toAbsolutePath().toString(), false)),
                config.activeDeadlineSeconds(), config.ttlSecondsAfterFinished(), config.kueueQueue(), config.cpuRequest(),
                config.memoryRequest(), config.cpuSlots(), config.leaseName());
    }

    @Override
    public void close() {
        executor.close();
        leadership.close();
        client.close();
    }
}
