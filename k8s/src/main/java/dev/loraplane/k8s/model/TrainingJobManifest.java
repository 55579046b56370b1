package dev.loraplane.k8s.model;

import dev.loraplane.engine.accelerator.KubernetesScheduling;
import dev.loraplane.k8s.K8sSettings;
import dev.loraplane.orchestrator.executor.Attempt;
import dev.loraplane.orchestrator.executor.DevicePool;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes objects of one attempt, built without talking to a cluster: a {@code batch/v1} Job
 * whose single pod runs {@code loraplane worker --spec /etc/loraplane/spec.json} on the devices the
 * scheduler placed it on, and the ConfigMap holding that spec.
 *
 * <p>The pod asks for the devices as the accelerator plugin says Kubernetes schedules them: the
 * extended resource ({@code nvidia.com/gpu: 2}) as a limit, the pool's product through the plugin's
 * node label, and the taints GPU node pools carry tolerated. {@code backoffLimit: 0}: the control
 * plane owns retries. With a Kueue queue configured the Job is created suspended and Kueue admits it.
 */
public final class TrainingJobManifest {

    public static final String SPEC_DIR = "/etc/loraplane";
    public static final String SPEC_FILE = "spec.json";
    public static final String CONTAINER = "worker";

    private final Attempt attempt;
    private final DevicePool pool;
    private final K8sSettings settings;
    private final KubernetesScheduling scheduling;

    private TrainingJobManifest(Attempt attempt, DevicePool pool, K8sSettings settings, KubernetesScheduling scheduling) {
        this.attempt = attempt;
        this.pool = pool;
        this.settings = settings;
        this.scheduling = scheduling;
    }

    /** @param scheduling how the cluster schedules {@code pool}'s device type (the plugin's) */
    public static TrainingJobManifest from(Attempt attempt, DevicePool pool, K8sSettings settings, KubernetesScheduling scheduling) {
        return new TrainingJobManifest(attempt, pool, settings, scheduling);
    }

    /** The name of the Job and of the ConfigMap. */
    public String name() {
        return Labels.name(attempt.jobId(), attempt.number());
    }

    public Map<String, String> labels() {
        Map<String, String> labels = new HashMap<>(Labels.of(attempt.jobId(), attempt.tenant(), attempt.number()));
        if (settings.kueueQueue() != null) {
            labels.put(Labels.KUEUE_QUEUE, settings.kueueQueue());
        }
        return labels;
    }

    /** The exact job id, tenant and devices held, which label values cannot always carry. */
    public Map<String, String> annotations() {
        return Map.of(Labels.JOB_ID, attempt.jobId(), Labels.TENANT, attempt.tenant(), Labels.ACCELERATOR, pool.type(),
                Labels.PRODUCT, pool.product(), Labels.DEVICES, String.valueOf(attempt.accelerator().count()));
    }

    public ConfigMap toConfigMap() {
        return new ConfigMapBuilder()
                .withNewMetadata().withName(name()).withNamespace(settings.namespace()).withLabels(labels())
                .withAnnotations(annotations()).endMetadata()
                .addToData(SPEC_FILE, attempt.spec().toJson())
                .build();
    }

    public Job toJob() {
        List<String> command = new ArrayList<>(settings.workerCommand());
        command.addAll(List.of("--spec", SPEC_DIR + "/" + SPEC_FILE));
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        volumes.add(new VolumeBuilder().withName("spec").withNewConfigMap().withName(name()).endConfigMap().build());
        mounts.add(new VolumeMountBuilder().withName("spec").withMountPath(SPEC_DIR).withReadOnly(true).build());
        for (int i = 0; i < settings.mounts().size(); i++) {
            K8sSettings.Mount m = settings.mounts().get(i);
            volumes.add(new VolumeBuilder().withName("data-" + i).withNewPersistentVolumeClaim().withClaimName(m.claim())
                    .withReadOnly(m.readOnly()).endPersistentVolumeClaim().build());
            mounts.add(new VolumeMountBuilder().withName("data-" + i).withMountPath(m.path()).withReadOnly(m.readOnly()).build());
        }
        return new JobBuilder()
                .withNewMetadata().withName(name()).withNamespace(settings.namespace()).withLabels(labels())
                .withAnnotations(annotations()).endMetadata()
                .withNewSpec()
                    .withBackoffLimit(0)
                    .withActiveDeadlineSeconds(settings.activeDeadlineSeconds())
                    .withTtlSecondsAfterFinished(settings.ttlSecondsAfterFinished())
                    .withSuspend(settings.kueueQueue() != null ? Boolean.TRUE : null)
                    .withNewTemplate()
                        .withNewMetadata().withLabels(labels()).withAnnotations(annotations()).endMetadata()
                        .withNewSpec()
                            .withRestartPolicy("Never")
                            .withNodeSelector(nodeSelector())
                            .withTolerations(tolerations())
                            .addNewContainer()
                                .withName(CONTAINER)
                                .withImage(settings.images().getOrDefault(pool.type(), scheduling.defaultImage()))
                                .withCommand(command)
                                .addNewEnv().withName("LORAPLANE_ACCELERATOR").withValue(pool.type()).endEnv()
                                .withNewResources().withRequests(requests()).withLimits(limits()).endResources()
                                .withVolumeMounts(mounts)
                            .endContainer()
                            .withVolumes(volumes)
                        .endSpec()
                    .endTemplate()
                .endSpec()
                .build();
    }

    private boolean hasDevices() {
        return !scheduling.resourceName().isEmpty();
    }

    private Map<String, Quantity> requests() {
        Map<String, Quantity> requests = new LinkedHashMap<>();
        requests.put("cpu", new Quantity(settings.cpuRequest()));
        requests.put("memory", new Quantity(settings.memoryRequest()));
        return requests;
    }

    private Map<String, Quantity> limits() {
        Map<String, Quantity> limits = new LinkedHashMap<>();
        limits.put("memory", new Quantity(settings.memoryRequest()));
        if (hasDevices()) {
            limits.put(scheduling.resourceName(), new Quantity(String.valueOf(attempt.accelerator().count())));
        }
        return limits;
    }

    /** The pool's product, when the plugin names a product label and the pool is not the unlabelled rest. */
    private Map<String, String> nodeSelector() {
        if (!hasDevices() || scheduling.productLabel().isEmpty() || pool.product().equals(GpuInventory.UNLABELLED)) {
            return null;
        }
        return Map.of(scheduling.productLabel(), pool.product());
    }

    private List<Toleration> tolerations() {
        return scheduling.tolerations().stream().map(t -> new TolerationBuilder().withKey(t.key()).withOperator(t.operator())
                .withValue(t.value().isEmpty() ? null : t.value()).withEffect(t.effect()).build()).toList();
    }
}
