package dev.loraplane.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.engine.accelerator.AcceleratorPlugin;
import dev.loraplane.engine.accelerator.Accelerators;
import dev.loraplane.engine.accelerator.KubernetesScheduling;
import dev.loraplane.engine.train.JobSpec;
import dev.loraplane.orchestrator.executor.AcceleratorRequest;
import dev.loraplane.orchestrator.executor.Attempt;
import dev.loraplane.orchestrator.executor.AttemptExit;
import dev.loraplane.orchestrator.executor.AttemptListener;
import dev.loraplane.orchestrator.executor.DevicePool;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The executor against Fabric8's mock API server in CRUD mode (real HTTP, watches), with the test
 * playing the Job controller and the kubelet.
 */
class KubernetesExecutorTest {

    static final Map<String, KubernetesScheduling> KINDS = Accelerators.plugins().stream()
            .collect(Collectors.toMap(AcceleratorPlugin::name, AcceleratorPlugin::scheduling));
    static final K8sSettings SETTINGS = K8sSettings.defaults("training", "/var/lib/loraplane")
            .withImages(Map.of("nvidia", "loraplane:test"));
    static final String H100 = "NVIDIA-H100-80GB-HBM3";

    /** Hears an attempt as the runner would. */
    static final class Heard implements AttemptListener {
        final List<String> lines = new CopyOnWriteArrayList<>();
        final List<String> events = new CopyOnWriteArrayList<>();
        final CompletableFuture<AttemptExit> exit = new CompletableFuture<>();

        @Override
        public void line(String line) {
            lines.add(line);
        }

        @Override
        public void event(String level, String message) {
            events.add(level + ": " + message);
        }

        @Override
        public void exited(AttemptExit exit) {
            assertThat(this.exit.complete(exit)).as("exactly one exit").isTrue();
        }

        AttemptExit awaitExit() throws Exception {
            return exit.get(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    KubernetesMockServer server;
    KubernetesClient client;
    Kubelet kubelet;
    Kubelet.Logs logs;
    KubernetesExecutor executor;

    @BeforeEach
    void setUp() {
        server = Kubelet.apiServer();
        client = server.createClient();
        kubelet = new Kubelet(client);
        kubelet.addNode("gpu-1", "nvidia.com/gpu", 2, "nvidia.com/gpu.product", H100);
        logs = kubelet.logs();
        executor = KubernetesExecutor.connect(client, SETTINGS, KINDS, logs);
    }

    @AfterEach
    void tearDown() {
        Kubelet.stop(server, executor, client);
    }

    static Attempt attempt(String jobId, int number) {
        JobSpec spec = new JobSpec(jobId, Path.of("/var/lib/loraplane/models/llama"), Path.of("/var/lib/loraplane/artifacts/ab"),
                null, Path.of("/var/lib/loraplane/adapters/" + jobId), null, null, null, null, "nf4", 512, false, 0);
        return new Attempt(jobId, "acme", number, new AcceleratorRequest("nvidia", 1, "H100"), spec);
    }

    DevicePool gpus() {
        return executor.pools().stream().filter(p -> p.type().equals("nvidia")).findFirst().orElseThrow();
    }

    Job awaitJob(String name) {
        await(() -> client.batch().v1().jobs().inNamespace("training").withName(name).get() != null, "Job " + name + " exists");
        return client.batch().v1().jobs().inNamespace("training").withName(name).get();
    }

    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting until " + what).isLessThan(deadline);
            Thread.onSpinWait();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void anAttemptRunsAsAJobAndTheListenerHearsItsWorkerThenItsExit() throws Exception {
        assertThat(gpus()).isEqualTo(new DevicePool("kubernetes", "training", "nvidia", H100, 2, 2));
        Heard heard = new Heard();
        executor.start(attempt("ftjob-run", 1), gpus(), heard);

        Job job = awaitJob("ftjob-run-a1");
        PodSpec spec = job.getSpec().getTemplate().getSpec();
        assertThat(spec.getContainers().get(0).getResources().getLimits().get("nvidia.com/gpu").toString()).isEqualTo("1");
        assertThat(spec.getNodeSelector()).containsEntry("nvidia.com/gpu.product", H100);
        assertThat(spec.getTolerations()).anySatisfy(t -> assertThat(t.getKey()).isEqualTo("nvidia.com/gpu"));
        assertThat(job.getMetadata().getLabels()).containsEntry("loraplane.dev/job-id", "ftjob-run")
                .containsEntry("loraplane.dev/attempt", "1").containsEntry("app.kubernetes.io/managed-by", "loraplane");
        await(() -> client.configMaps().inNamespace("training").withName("ftjob-run-a1").get() != null,
                "the spec is created, after its Job");
        assertThat(client.configMaps().inNamespace("training").withName("ftjob-run-a1").get().getData()).containsKey("spec.json");
        assertThat(gpus().free()).as("the attempt holds its GPU").isEqualTo(1);
        assertThat(executor.isRunning("ftjob-run")).isTrue();

        Pod pod = kubelet.createPod(job, "gpu-1");
        kubelet.running(pod);
        kubelet.print(pod, "{\"type\": \"started\", \"message\": \"Training on 1 × nvidia\"}");
        kubelet.print(pod, "{\"type\": \"progress\", \"step\": 1, \"loss\": 2.5}");
        await(() -> heard.lines.size() == 2, "the worker's lines are heard");
        assertThat(heard.exit).isNotDone();

        kubelet.print(pod, "{\"type\": \"completed\", \"adapter\": \"/var/lib/loraplane/adapters/ftjob-run\"}");
        kubelet.terminated(pod, 0, "Completed");

        assertThat(heard.awaitExit().code()).isZero();
        assertThat(heard.lines).as("the whole log is read before the exit").hasSize(3).last().asString().contains("completed");
        assertThat(executor.isRunning("ftjob-run")).isFalse();
        assertThat(gpus().free()).isEqualTo(2);
    }

    @Test
    void aPodNoNodeTakesSaysWhyOncePerReasonThenWhereItRuns() throws Exception {
        Heard heard = new Heard();
        executor.start(attempt("ftjob-pending", 1), gpus(), heard);
        Pod pod = kubelet.createPod(awaitJob("ftjob-pending-a1"), null);
        String name = pod.getMetadata().getName();
        String insufficient = "0/3 nodes are available: 3 Insufficient nvidia.com/gpu. preemption: 0/3 nodes are available:"
                + " 3 No preemption victims found for incoming pod.";
        kubelet.unschedulable(pod, insufficient);
        await(() -> heard.events.size() == 1, "the reason is heard");
        kubelet.unschedulable(pod, insufficient);   // the scheduler tries again, and the pod is updated with the same reason
        client.pods().resource(client.pods().resource(pod).get()).edit(p -> new io.fabric8.kubernetes.api.model.PodBuilder(p)
                .editMetadata().addToAnnotations("touched", "yes").endMetadata().build());
        String tainted = "0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2"
                + " Insufficient nvidia.com/gpu.";
        kubelet.unschedulable(pod, tainted);
        await(() -> heard.events.size() == 2, "the new reason is heard");
        kubelet.running(kubelet.bind(pod, "gpu-1"));
        await(() -> heard.events.size() == 3, "the node is heard");
        Thread.sleep(100);

        assertThat(heard.events).containsExactly("warn: Pod " + name + " waits for a node: " + insufficient,
                "warn: Pod " + name + " waits for a node: " + tainted, "info: Pod " + name + " is scheduled on node gpu-1");
        assertThat(heard.exit).isNotDone();
        assertThat(heard.lines).isEmpty();
    }

    @Test
    void anOomKilledWorkerSaysOutOfMemorySoTheAttemptIsRetried() throws Exception {
        Heard heard = new Heard();
        executor.start(attempt("ftjob-oom", 1), gpus(), heard);
        Pod pod = kubelet.createPod(awaitJob("ftjob-oom-a1"), "gpu-1");
        kubelet.running(pod);
        kubelet.terminated(pod, 137, "OOMKilled");

        assertThat(heard.awaitExit().code()).isEqualTo(1);
        assertThat(heard.lines).singleElement().asString().contains("\"type\":\"error\"", "\"code\":\"out_of_memory\"", "OOMKilled");
    }

    @Test
    void anImageThatCannotBePulledLosesTheAttemptWithTheReason() throws Exception {
        Heard heard = new Heard();
        executor.start(attempt("ftjob-pull", 1), gpus(), heard);
        Pod pod = kubelet.createPod(awaitJob("ftjob-pull-a1"), "gpu-1");
        kubelet.status(pod, new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Pending")
                .addNewContainerStatus().withName("worker").withNewState().withNewWaiting().withReason("ImagePullBackOff")
                .withMessage("Back-off pulling image \"loraplane:test\"").endWaiting().endState().endContainerStatus().build());

        AttemptExit exit = heard.awaitExit();
        assertThat(exit.code()).isEqualTo(AttemptExit.LOST);
        assertThat(exit.detail()).contains("ImagePullBackOff", "loraplane:test");
    }

    @Test
    void anEvictedPodLosesTheAttempt() throws Exception {
        Heard heard = new Heard();
        executor.start(attempt("ftjob-evict", 1), gpus(), heard);
        Pod pod = kubelet.createPod(awaitJob("ftjob-evict-a1"), "gpu-1");
        kubelet.running(pod);
        kubelet.status(pod, new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Failed").withReason("Evicted")
                .withMessage("The node was low on resource: ephemeral-storage.").build());
        kubelet.terminated(pod, 137, "Error");   // the log ends

        AttemptExit exit = heard.awaitExit();
        assertThat(exit.code()).isEqualTo(AttemptExit.LOST);
        assertThat(exit.detail()).contains("evicted", "ephemeral-storage");
    }

    @Test
    void aJobPastItsDeadlineLosesTheAttemptWithTheReasonOnceItsLogIsRead() throws Exception {
        Heard heard = new Heard();
        executor.start(attempt("ftjob-deadline", 1), gpus(), heard);
        Job job = awaitJob("ftjob-deadline-a1");
        Pod pod = kubelet.createPod(job, "gpu-1");
        kubelet.running(pod);
        kubelet.print(pod, "{\"type\": \"progress\", \"step\": 7}");
        await(() -> heard.lines.size() == 1, "the worker is heard");
        // The Job controller gives up on it, then kills its pod.
        client.batch().v1().jobs().resource(new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder(
                client.batch().v1().jobs().resource(job).get()).withNewStatus().addNewCondition().withType("Failed")
                .withStatus("True").withReason("DeadlineExceeded").withMessage("Job was active longer than specified deadline")
                .endCondition().endStatus().build()).updateStatus();
        Thread.sleep(100);
        assertThat(heard.exit).as("the log is read to its end first").isNotDone();
        kubelet.print(pod, "{\"type\": \"progress\", \"step\": 8}");
        kubelet.terminated(pod, 143, "Error");

        AttemptExit exit = heard.awaitExit();
        assertThat(exit.code()).isEqualTo(AttemptExit.LOST);
        assertThat(exit.detail()).contains("ran past activeDeadlineSeconds", "longer than specified deadline");
        assertThat(heard.lines).hasSize(2);
        assertThat(gpus().free()).isEqualTo(2);
    }

    @Test
    void cancelDeletesTheJobAndItsSpecAndReportsTheAttemptStopped() throws Exception {
        Heard heard = new Heard();
        executor.start(attempt("ftjob-cancel", 1), gpus(), heard);
        kubelet.running(kubelet.createPod(awaitJob("ftjob-cancel-a1"), "gpu-1"));
        executor.cancel("ftjob-cancel");

        assertThat(heard.awaitExit().code()).isEqualTo(AttemptExit.STOPPED);
        await(() -> client.batch().v1().jobs().inNamespace("training").withName("ftjob-cancel-a1").get() == null, "the Job is gone");
        await(() -> client.configMaps().inNamespace("training").withName("ftjob-cancel-a1").get() == null, "the spec is gone");
        assertThat(executor.isRunning("ftjob-cancel")).isFalse();
    }

    @Test
    void aRestartedExecutorAdoptsTheRunningJobInsteadOfCreatingAnother() throws Exception {
        Heard first = new Heard();
        executor.start(attempt("ftjob-adopt", 1), gpus(), first);
        Pod pod = kubelet.createPod(awaitJob("ftjob-adopt-a1"), "gpu-1");
        kubelet.running(pod);
        kubelet.print(pod, "{\"type\": \"progress\", \"step\": 1}");
        await(() -> first.lines.size() == 1, "the first control plane hears the worker");
        executor.close();   // the control plane dies; the Job runs on
        logs.close();

        logs = kubelet.logs();
        executor = KubernetesExecutor.connect(client, SETTINGS, KINDS, logs);
        assertThat(executor.isRunning("ftjob-adopt")).isTrue();
        assertThat(gpus().free()).as("the adopted attempt holds its GPU").isEqualTo(1);
        assertThat(executor.adopt("ftjob-adopt", 2, Instant.EPOCH, new Heard())).as("not that attempt").isFalse();
        Heard adopted = new Heard();
        Instant since = Instant.parse("2026-01-01T10:00:00Z");
        assertThat(executor.adopt("ftjob-adopt", 1, since, adopted)).isTrue();
        assertThat(executor.adopt("ftjob-adopt", 1, since, new Heard())).as("one listener").isFalse();

        kubelet.print(pod, "{\"type\": \"progress\", \"step\": 2}");
        kubelet.terminated(pod, 0, "Completed");
        assertThat(adopted.awaitExit().code()).isZero();
        assertThat(adopted.lines).contains("{\"type\": \"progress\", \"step\": 2}");
        assertThat(kubelet.followedSince).containsEntry(pod.getMetadata().getName(), since);
        assertThat(client.batch().v1().jobs().inNamespace("training").list().getItems()).hasSize(1);
        assertThat(first.exit).as("the dead control plane hears nothing more").isNotDone();
    }

    @Test
    void aNewNodeWakesTheSchedulerAndAddsToThePool() {
        CompletableFuture<Void> woken = new CompletableFuture<>();
        executor.onCapacityChange(() -> woken.complete(null));
        kubelet.addNode("gpu-2", "nvidia.com/gpu", 4, "nvidia.com/gpu.product", H100);

        await(woken::isDone, "the scheduler is woken");
        await(() -> gpus().total() == 6, "the pool counts the new node");
    }

    @Test
    void anotherWorkloadsPodHoldsTheGpusItAsksForOnItsNodeUntilItEnds() {
        CompletableFuture<Void> held = new CompletableFuture<>();
        executor.onCapacityChange(() -> held.complete(null));
        Pod inference = kubelet.otherWorkload("inference", "llm-0", "gpu-1", 2, 0);

        await(held::isDone, "the scheduler is woken");
        await(() -> gpus().free() == 0, "its GPUs are taken");
        assertThat(gpus()).isEqualTo(new DevicePool("kubernetes", "training", "nvidia", H100, 2, 0, 2, 0));

        CompletableFuture<Void> freed = new CompletableFuture<>();
        executor.onCapacityChange(() -> freed.complete(null));
        kubelet.status(inference, new PodStatusBuilder().withPhase("Succeeded").build());
        await(freed::isDone, "the scheduler is woken");
        await(() -> gpus().free() == 2, "its GPUs are free once it has ended");
    }

    @Test
    void aPodNoNodeHasTakenYetHoldsNothingUntilItIsBound() {
        kubelet.addNode("gpu-2", "nvidia.com/gpu", 4, "nvidia.com/gpu.product", H100);
        await(() -> gpus().total() == 6, "the pool counts both nodes");
        Pod pending = kubelet.otherWorkload("inference", "llm-pending", null, 2, 0);
        kubelet.otherWorkload("inference", "llm-0", "gpu-2", 1, 0);

        await(() -> gpus().free() == 5, "the bound pod's GPU is taken");
        assertThat(gpus()).as("the pending pod, seen first, took nothing").isEqualTo(
                new DevicePool("kubernetes", "training", "nvidia", H100, 6, 5, 4, 3));
        kubelet.running(kubelet.bind(pending, "gpu-2"));
        await(() -> gpus().free() == 3, "once bound its GPUs are taken");
        assertThat(gpus().largestFree()).isEqualTo(2);
    }

    @Test
    void aPodHoldsWhatItsLargestInitContainerAsksForWhenThatIsMoreThanItsContainers() {
        kubelet.addNode("gpu-2", "nvidia.com/gpu", 4, "nvidia.com/gpu.product", H100);
        kubelet.otherWorkload("inference", "llm-0", "gpu-2", 1, 3);

        await(() -> gpus().free() == 3, "the init container's three GPUs are taken");
        assertThat(gpus()).isEqualTo(new DevicePool("kubernetes", "training", "nvidia", H100, 6, 3, 4, 2));
    }

    @Test
    void loraplanesOwnPodsAreCountedOnceAsTheirAttempts() throws Exception {
        kubelet.addNode("gpu-2", "nvidia.com/gpu", 4, "nvidia.com/gpu.product", H100);
        await(() -> gpus().total() == 6, "the pool counts both nodes");
        executor.start(attempt("ftjob-once", 1), gpus(), new Heard());
        kubelet.running(kubelet.createPod(awaitJob("ftjob-once-a1"), "gpu-2"));
        kubelet.otherWorkload("inference", "llm-0", "gpu-2", 1, 0);

        await(() -> gpus().free() <= 4, "the other pod's GPU is taken");
        Thread.sleep(100);
        assertThat(gpus()).as("of gpu-2's four, one the attempt's and one the other pod's").isEqualTo(
                new DevicePool("kubernetes", "training", "nvidia", H100, 6, 4, 4, 2));
    }

    @Test
    void withoutPermissionToListPodsInAllNamespacesItWarnsOnceAndCountsOnlyItsOwnAttempts() throws Exception {
        KubernetesMockServer forbidding = Kubelet.apiServerForbiddingPodsInAllNamespaces();
        KubernetesClient restricted = forbidding.createClient();
        Kubelet cluster = new Kubelet(restricted);
        cluster.addNode("gpu-1", "nvidia.com/gpu", 2, "nvidia.com/gpu.product", H100);
        cluster.otherWorkload("inference", "llm-0", "gpu-1", 1, 0);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));   // where slf4j-simple writes
        KubernetesExecutor limited;
        try {
            limited = KubernetesExecutor.connect(restricted, SETTINGS, KINDS, logs);
        } finally {
            System.setErr(stderr);
        }
        try {
            limited.start(attempt("ftjob-limited", 1), limited.pools().get(0), new Heard());
            await(() -> restricted.configMaps().inNamespace("training").withName("ftjob-limited-a1").get() != null,
                    "the attempt's Job and spec are created");

            assertThat(limited.pools()).as("the other pod's GPU is not seen; the attempt's is")
                    .containsExactly(new DevicePool("kubernetes", "training", "nvidia", H100, 2, 1));
            assertThat(log.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")))
                    .as("one warning, no error").singleElement().asString().contains("may not list and watch pods in all"
                            + " namespaces", "cannot list resource \"pods\" in API group \"\" at the cluster scope",
                            "k8s/deploy/base/rbac.yaml");
        } finally {
            Kubelet.stop(forbidding, limited, restricted);
        }
    }
}
