package dev.loraplane.k8s.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.engine.accelerator.Accelerators;
import dev.loraplane.engine.accelerator.KubernetesScheduling;
import dev.loraplane.engine.train.JobSpec;
import dev.loraplane.k8s.K8sSettings;
import dev.loraplane.orchestrator.executor.AcceleratorRequest;
import dev.loraplane.orchestrator.executor.Attempt;
import dev.loraplane.orchestrator.executor.DevicePool;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The objects an attempt becomes, as YAML a cluster administrator would read. */
class TrainingJobManifestTest {

    static final K8sSettings SETTINGS = new K8sSettings("training", Map.of("nvidia", "registry.example/loraplane:cuda"),
            List.of("loraplane", "worker"), List.of(new K8sSettings.Mount("loraplane-data", "/var/lib/loraplane", false),
            new K8sSettings.Mount("loraplane-models", "/models", true)), 7200, 600, null, "4", "16Gi", 1, "loraplane-scheduler");

    static Attempt attempt(String jobId, String type, int count) {
        JobSpec spec = new JobSpec(jobId, Path.of("/models/llama"), Path.of("/var/lib/loraplane/artifacts/ab/abcdef"), null,
                Path.of("/var/lib/loraplane/adapters/" + jobId), Path.of("/var/lib/loraplane/jobs/" + jobId + "/checkpoints"),
                null, null, null, "nf4", 512, false, 0);
        return new Attempt(jobId, "Acme Corp", 2, new AcceleratorRequest(type, count, null), spec);
    }

    static KubernetesScheduling scheduling(String type) {
        return Accelerators.plugin(type).orElseThrow().scheduling();
    }

    @Test
    void anNvidiaAttemptAsksForItsGpusOnNodesOfItsProduct() {
        DevicePool pool = new DevicePool("kubernetes", "training", "nvidia", "NVIDIA-H100-80GB-HBM3", 8, 8);
        TrainingJobManifest manifest = TrainingJobManifest.from(attempt("ftjob-AbC123", "nvidia", 2), pool, SETTINGS,
                scheduling("nvidia"));
        Job job = manifest.toJob();

        assertThat(Serialization.asYaml(job)).contains("""
                        resources:
                          limits:
                            memory: "16Gi"
                            nvidia.com/gpu: "2"
                          requests:
                            cpu: "4"
                            memory: "16Gi"
                """, """
                      nodeSelector:
                        nvidia.com/gpu.product: "NVIDIA-H100-80GB-HBM3"
                      restartPolicy: "Never"
                      tolerations:
                      - effect: "NoSchedule"
                        key: "nvidia.com/gpu"
                        operator: "Exists"
                """);
        assertThat(job.getMetadata().getName()).isEqualTo("ftjob-abc123-a2");
        assertThat(job.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "loraplane")
                .containsEntry("loraplane.dev/job-id", "ftjob-abc123").containsEntry("loraplane.dev/tenant", "acme-corp")
                .containsEntry("loraplane.dev/attempt", "2").doesNotContainKey("kueue.x-k8s.io/queue-name");
        assertThat(job.getMetadata().getAnnotations()).containsEntry("loraplane.dev/job-id", "ftjob-AbC123")
                .containsEntry("loraplane.dev/tenant", "Acme Corp");
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(7200);
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(600);
        assertThat(job.getSpec().getSuspend()).isNull();

        PodSpec pod = job.getSpec().getTemplate().getSpec();
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).isEqualTo(job.getMetadata().getLabels());
        Container worker = pod.getContainers().get(0);
        assertThat(worker.getImage()).isEqualTo("registry.example/loraplane:cuda");
        assertThat(worker.getCommand()).containsExactly("loraplane", "worker", "--spec", "/etc/loraplane/spec.json");
        assertThat(worker.getVolumeMounts()).extracting(m -> m.getMountPath() + (m.getReadOnly() ? " ro" : ""))
                .containsExactly("/etc/loraplane ro", "/var/lib/loraplane", "/models ro");
        assertThat(pod.getVolumes()).extracting(v -> v.getConfigMap() != null ? "configmap " + v.getConfigMap().getName()
                : "claim " + v.getPersistentVolumeClaim().getClaimName())
                .containsExactly("configmap ftjob-abc123-a2", "claim loraplane-data", "claim loraplane-models");
    }

    @Test
    void theSpecConfigMapHoldsTheWorkersJobSpec() {
        Attempt attempt = attempt("ftjob-abc123", "amd", 1);
        ConfigMap config = TrainingJobManifest.from(attempt, new DevicePool("kubernetes", "training", "amd", "Instinct-MI300X", 8, 8),
                SETTINGS, scheduling("amd")).toConfigMap();

        assertThat(config.getMetadata().getName()).isEqualTo("ftjob-abc123-a2");
        assertThat(config.getMetadata().getNamespace()).isEqualTo("training");
        assertThat(config.getData()).containsOnlyKeys("spec.json");
        assertThat(config.getData().get("spec.json")).isEqualTo(attempt.spec().toJson());
    }

    @Test
    void anAmdAttemptUsesTheAmdResourceAndProductLabel() {
        Job job = TrainingJobManifest.from(attempt("ftjob-abc123", "amd", 4),
                new DevicePool("kubernetes", "training", "amd", "Instinct-MI300X", 8, 8), SETTINGS, scheduling("amd")).toJob();
        PodSpec pod = job.getSpec().getTemplate().getSpec();

        assertThat(pod.getContainers().get(0).getResources().getLimits()).containsKey("amd.com/gpu")
                .doesNotContainKey("nvidia.com/gpu");
        assertThat(pod.getContainers().get(0).getResources().getLimits().get("amd.com/gpu").toString()).isEqualTo("4");
        assertThat(pod.getNodeSelector()).containsExactly(java.util.Map.entry("amd.com/gpu.product-name", "Instinct-MI300X"));
        assertThat(pod.getTolerations()).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("amd.com/gpu"));
        assertThat(pod.getContainers().get(0).getImage()).as("the plugin's image").isEqualTo("ghcr.io/loraplane/loraplane:latest-rocm");
    }

    @Test
    void aCpuAttemptAsksForCpuAndMemoryOnlyAndAKueueQueueSuspendsTheJob() {
        K8sSettings kueue = new K8sSettings("training", Map.of(), List.of("loraplane", "worker"), List.of(), 3600, 60,
                "team-a", "2", "8Gi", 4, "lease");
        Job job = TrainingJobManifest.from(attempt("ftjob-abc123", "cpu", 1),
                new DevicePool("kubernetes", "training", "cpu", "cpu", 4, 4), kueue, scheduling("cpu")).toJob();
        PodSpec pod = job.getSpec().getTemplate().getSpec();

        assertThat(pod.getContainers().get(0).getResources().getLimits()).containsOnlyKeys("memory");
        assertThat(pod.getContainers().get(0).getResources().getRequests()).containsOnlyKeys("cpu", "memory");
        assertThat(pod.getNodeSelector()).isNullOrEmpty();
        assertThat(pod.getTolerations()).isEmpty();
        assertThat(job.getSpec().getSuspend()).isTrue();
        assertThat(job.getMetadata().getLabels()).containsEntry("kueue.x-k8s.io/queue-name", "team-a");
    }

    @Test
    void namesAreDnsLabelsOfAtMost63Characters() {
        String name = Labels.name("ftjob-" + "x".repeat(80) + "_Y", 12);

        assertThat(name).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?").endsWith("-a12");
        assertThat(Labels.name("ftjob-abc", 1)).isEqualTo("ftjob-abc-a1");
        assertThat(Labels.of("ftjob-abc", "-Team_Ä-", 1)).containsEntry(Labels.TENANT, "team");
    }
}
