package dev.loraplane.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loraplane.engine.train.JobSpec;
import dev.loraplane.orchestrator.executor.AcceleratorRequest;
import dev.loraplane.orchestrator.executor.Attempt;
import dev.loraplane.orchestrator.executor.AttemptExit;
import dev.loraplane.orchestrator.executor.DevicePool;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The same path on a real cluster: K3s in a container, a real kubelet, real pod logs. The "worker"
 * is a shell that prints what {@code loraplane worker} prints; K3s has no GPUs, so it runs on a CPU
 * slot. Runs wherever Docker does.
 */
class K3sExecutorTest {

    static K3sContainer k3s;
    static KubernetesClient client;

    static final String SKIPPED = "SKIPPED: no Docker engine runs here, so the Kubernetes executor is not tried on a real"
            + " K3s cluster; the mock API server tests still ran. Start Docker to run it.";

    @BeforeAll
    static void startCluster() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            System.err.println("*** " + SKIPPED);
            return;
        }
        k3s = new K3sContainer(DockerImageName.parse("rancher/k3s:v1.31.4-k3s1"));
        k3s.start();
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(k3s.getKubeConfigYaml())).build();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("training").endMetadata().build()).create();
    }

    @BeforeEach
    void needsDocker() {
        assumeTrue(client != null, SKIPPED);
    }

    @AfterAll
    static void stopCluster() {
        if (client != null) {
            client.close();
        }
        if (k3s != null) {
            k3s.stop();
        }
    }

    @Test
    void aCpuAttemptRunsAsAJobAndItsLogReachesTheListener() throws Exception {
        String worker = "echo '{\"type\": \"started\", \"total_steps\": 2}';"
                + " echo '{\"type\": \"progress\", \"step\": 1, \"total_steps\": 2, \"loss\": 2.0}';"
                + " echo '{\"type\": \"progress\", \"step\": 2, \"total_steps\": 2, \"loss\": 1.5}'";
        K8sSettings settings = new K8sSettings("training", Map.of("cpu", "busybox:1.36"), List.of("sh", "-c", worker), List.of(), 600, 60, null,
                "50m", "64Mi", 1, "loraplane-scheduler");
        try (KubernetesExecutor executor = KubernetesExecutor.connect(client, settings)) {
            DevicePool cpu = executor.pools().get(0);
            assertThat(cpu).isEqualTo(new DevicePool("kubernetes", "training", "cpu", "cpu", 1, 1));
            JobSpec spec = new JobSpec("ftjob-k3s", Path.of("/models/m"), Path.of("/data/train.jsonl"), null, Path.of("/data/out"),
                    null, null, null, null, "nf4", 64, false, 0);
            KubernetesExecutorTest.Heard heard = new KubernetesExecutorTest.Heard();
            executor.start(new Attempt("ftjob-k3s", "acme", 1, new AcceleratorRequest("cpu", 1, null), spec), cpu, heard);

            AttemptExit exit = heard.exit.get(3, TimeUnit.MINUTES);   // the image is pulled first
            assertThat(exit.code()).isZero();
            assertThat(heard.lines).hasSize(3).last().asString().contains("\"step\": 2");
        }
    }
}
