package dev.loraplane.k8s;

import dev.loraplane.engine.accelerator.AcceleratorPlugin;
import dev.loraplane.engine.accelerator.Accelerators;
import dev.loraplane.engine.accelerator.KubernetesScheduling;
import dev.loraplane.k8s.model.GpuInventory;
import dev.loraplane.k8s.model.Labels;
import dev.loraplane.k8s.model.TrainingJobManifest;
import dev.loraplane.orchestrator.executor.Attempt;
import dev.loraplane.orchestrator.executor.AttemptListener;
import dev.loraplane.orchestrator.executor.DevicePool;
import dev.loraplane.orchestrator.executor.Executor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each attempt as a {@code batch/v1} Job in one namespace (see {@link TrainingJobManifest}),
 * on the devices the cluster's nodes advertise.
 *
 * <p>Informers on the nodes, on the Jobs and pods labelled {@code app.kubernetes.io/managed-by:
 * loraplane}, and on the other workloads' pods in every namespace ({@link ForeignPods}) keep it
 * current: the nodes give the device pools, less what attempts and the other pods hold, and wake the
 * scheduler when they change, as a change in what the other pods hold does; Jobs and pods drive each
 * {@link TrackedAttempt}. Every loraplane Job in the namespace is tracked, whoever created it, so
 * after a restart (or on a standby replica that becomes leader) the runner re-attaches to running
 * attempts through {@link #adopt} instead of starting them again. Cancel deletes the Job (background
 * propagation). {@link #stopAll} only stops watching: the Jobs run on and the next control plane
 * adopts them.
 */
public final class KubernetesExecutor implements Executor, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesExecutor.class);
    private static final KubernetesScheduling NO_DEVICES = new KubernetesScheduling("", "", List.of(), "");

    private final KubernetesClient client;
    private final K8sSettings settings;
    private final Map<String, KubernetesScheduling> kinds;
    private final PodLogs logs;
    private final JobReconciler reconciler;
    /** Job id → its latest attempt in the cluster. */
    private final Map<String, TrackedAttempt> attempts = new ConcurrentHashMap<>();
    /** Creates and deletes Jobs, so that start and cancel return at once. */
    private final ExecutorService requests = Executors.newSingleThreadExecutor(r -> daemon(r, "k8s-requests"));
    /** The threads following pod logs. */
    private final Set<Thread> readers = ConcurrentHashMap.newKeySet();
    private volatile Runnable wake = () -> { };
    private SharedIndexInformer<Node> nodes;
    private SharedIndexInformer<Job> jobs;
    private SharedIndexInformer<Pod> pods;
    private ForeignPods foreign;

    private KubernetesExecutor(KubernetesClient client, K8sSettings settings, Map<String, KubernetesScheduling> kinds,
            PodLogs logs) {
        this.client = client;
        this.settings = settings;
        this.kinds = Map.copyOf(kinds);
        this.logs = logs;
        this.reconciler = new JobReconciler(client);
    }

    /** An executor for the accelerator plugins on the class path, reading logs from the API server. */
    public static KubernetesExecutor connect(KubernetesClient client, K8sSettings settings) {
        return connect(client, settings, Accelerators.plugins().stream()
                .collect(Collectors.toMap(AcceleratorPlugin::name, AcceleratorPlugin::scheduling)), new ApiServerPodLogs(client));
    }

    /**
     * Starts the informers and returns once they have listed what is there: the Jobs found are
     * tracked from then on.
     *
     * @param kinds device type → how the cluster schedules it
     */
    public static KubernetesExecutor connect(KubernetesClient client, K8sSettings settings,
            Map<String, KubernetesScheduling> kinds, PodLogs logs) {
        KubernetesExecutor executor = new KubernetesExecutor(client, settings, kinds, logs);
        executor.watch();
        return executor;
    }

    private void watch() {
        String ns = settings.namespace();
        pods = client.pods().inNamespace(ns).withLabel(Labels.MANAGED_BY, Labels.MANAGER).inform(handler(
                pod -> dispatch(pod, t -> t.onPod(pod)), pod -> dispatch(pod, t -> t.onPodDeleted(pod))), 0);
        jobs = client.batch().v1().jobs().inNamespace(ns).withLabel(Labels.MANAGED_BY, Labels.MANAGER).inform(handler(
                this::track, job -> dispatch(job, TrackedAttempt::onJobDeleted)), 0);
        nodes = client.nodes().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                wake.run();
            }

            @Override
            public void onUpdate(Node old, Node node) {
                if (!capacity(old).equals(capacity(node))) {
                    wake.run();
                }
            }

            @Override
            public void onDelete(Node node, boolean finalStateUnknown) {
                wake.run();
            }
        }, 0);
        foreign = ForeignPods.watch(client, kinds.values().stream().map(KubernetesScheduling::resourceName)
                .filter(r -> !r.isEmpty()).collect(Collectors.toSet()), () -> wake.run());   // the wake set by then
    }

    private List<DevicePool> capacity(Node node) {
        return GpuInventory.pools(name(), settings.namespace(), List.of(node), kinds, 0, List.of(), List.of());
    }

    @Override
    public String name() {
        return "kubernetes";
    }

    @Override
    public List<DevicePool> pools() {
        List<GpuInventory.Held> held = attempts.values().stream().filter(TrackedAttempt::holdsDevices).map(TrackedAttempt::held)
                .toList();
        return GpuInventory.pools(name(), settings.namespace(), nodes.getStore().list(), kinds, settings.cpuSlots(), held,
                foreign.devices());
    }

    @Override
    public void start(Attempt attempt, DevicePool pool, AttemptListener listener) {
        TrainingJobManifest manifest = TrainingJobManifest.from(attempt, pool, settings,
                kinds.getOrDefault(pool.type(), NO_DEVICES));
        TrackedAttempt tracked = new TrackedAttempt(attempt.jobId(), attempt.number(), manifest.name(),
                new GpuInventory.Held(pool.type(), pool.product(), attempt.accelerator().count(), null), this::follow, this::forget);
        tracked.attach(listener, null);
        attempts.put(attempt.jobId(), tracked);
        requests.execute(() -> {
            try {
                reconciler.apply(manifest);
            } catch (RuntimeException e) {   // KubernetesClientException, or the client closed meanwhile
                LOG.warn("{}: creating Job {} failed", attempt.jobId(), manifest.name(), e);
                tracked.failed("Job " + manifest.name() + " could not be created: " + e.getMessage());
            }
        });
    }

    @Override
    public boolean isRunning(String jobId) {
        return attempts.containsKey(jobId);
    }

    @Override
    public boolean adopt(String jobId, int attempt, Instant since, AttemptListener listener) {
        TrackedAttempt tracked = attempts.get(jobId);
        return tracked != null && tracked.number == attempt && tracked.attach(listener, since);
    }

    @Override
    public void cancel(String jobId) {
        TrackedAttempt tracked = attempts.get(jobId);
        if (tracked == null) {
            return;
        }
        tracked.cancel();
        requests.execute(() -> {
            try {
                reconciler.delete(settings.namespace(), tracked.name);
            } catch (RuntimeException e) {
                LOG.warn("{}: deleting Job {} failed", jobId, tracked.name, e);
            }
        });
    }

    /** Stops watching and reporting; the attempts run on in the cluster, for the next control plane to adopt. */
    @Override
    public void stopAll() {
        close();
    }

    @Override
    public void onCapacityChange(Runnable wake) {
        this.wake = wake;
    }

    /** Stops watching and reporting; the Jobs run on. */
    @Override
    public void close() {
        for (SharedIndexInformer<?> informer : new SharedIndexInformer<?>[] {pods, jobs, nodes}) {
            if (informer != null) {
                informer.close();
            }
        }
        if (foreign != null) {
            foreign.close();
        }
        attempts.values().forEach(TrackedAttempt::stopListening);
        readers.forEach(Thread::interrupt);   // a log stream broken meanwhile is not opened again
        requests.shutdown();
    }

    /** A Job of ours seen in the cluster: its attempt is tracked from now on, whoever started it. */
    private void track(Job job) {
        if (job.getMetadata().getDeletionTimestamp() != null) {
            return;   // on its way out: nothing to follow
        }
        String jobId = jobId(job);
        int number = attempt(job);
        TrackedAttempt tracked = attempts.compute(jobId, (id, known) -> known != null && known.number >= number ? known
                : new TrackedAttempt(id, number, job.getMetadata().getName(), held(job), this::follow, this::forget));
        if (tracked.number != number) {
            return;
        }
        tracked.onJob(job);
        pods.getStore().list().stream().filter(p -> jobId.equals(jobId(p)) && attempt(p) == number).forEach(tracked::onPod);
    }

    private void dispatch(HasMetadata resource, Consumer<TrackedAttempt> action) {
        TrackedAttempt tracked = attempts.get(jobId(resource));
        if (tracked != null && tracked.number == attempt(resource)) {
            action.accept(tracked);
        }
    }

    private void forget(TrackedAttempt tracked) {
        attempts.remove(tracked.jobId, tracked);
    }

    private void follow(TrackedAttempt tracked, String pod, Instant since) {
        Thread reader = daemon(() -> {
            try {
                logs.follow(settings.namespace(), pod, since, tracked::line);
            } catch (InterruptedIOException e) {
                LOG.debug("{}: stopped reading the log of pod {}", tracked.jobId, pod);   // closed: the next control plane reads on
            } catch (IOException | RuntimeException e) {
                LOG.warn("{}: reading the log of pod {} failed", tracked.jobId, pod, e);
            } finally {
                readers.remove(Thread.currentThread());
            }
            tracked.logEnded();
        }, "k8s-log-" + pod);
        readers.add(reader);
        reader.start();
    }

    private static GpuInventory.Held held(Job job) {
        Map<String, String> a = job.getMetadata().getAnnotations();
        return new GpuInventory.Held(a.get(Labels.ACCELERATOR), a.get(Labels.PRODUCT), Integer.parseInt(a.get(Labels.DEVICES)), null);
    }

    private static String jobId(HasMetadata resource) {
        Map<String, String> annotations = resource.getMetadata().getAnnotations();
        return Objects.requireNonNullElse(annotations == null ? null : annotations.get(Labels.JOB_ID), "");
    }

    private static int attempt(HasMetadata resource) {
        String attempt = resource.getMetadata().getLabels().get(Labels.ATTEMPT);
        return attempt == null ? 0 : Integer.parseInt(attempt);
    }

    private static <T> ResourceEventHandler<T> handler(Consumer<T> changed, Consumer<T> deleted) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T resource) {
                changed.accept(resource);
            }

            @Override
            public void onUpdate(T old, T resource) {
                changed.accept(resource);
            }

            @Override
            public void onDelete(T resource, boolean finalStateUnknown) {
                deleted.accept(resource);
            }
        };
    }

    private static Thread daemon(Runnable body, String name) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }
}
