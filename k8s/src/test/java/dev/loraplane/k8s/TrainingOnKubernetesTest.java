package dev.loraplane.k8s;

import static dev.loraplane.k8s.KubernetesExecutorTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import dev.loraplane.orchestrator.artifacts.ArtifactStore;
import dev.loraplane.orchestrator.cost.CostEstimator;
import dev.loraplane.orchestrator.cost.PriceTable;
import dev.loraplane.orchestrator.jobs.BaseModel;
import dev.loraplane.orchestrator.jobs.JobRunner;
import dev.loraplane.orchestrator.jobs.Quotas;
import dev.loraplane.orchestrator.jobs.RetryPolicy;
import dev.loraplane.orchestrator.jobs.RunnerVerticle;
import dev.loraplane.orchestrator.jobs.Scheduler;
import dev.loraplane.orchestrator.metrics.ControlPlaneMetrics;
import dev.loraplane.orchestrator.store.AttemptRecord;
import dev.loraplane.orchestrator.store.Database;
import dev.loraplane.orchestrator.store.EvalStore;
import dev.loraplane.orchestrator.store.Job;
import dev.loraplane.orchestrator.store.JobEvent;
import dev.loraplane.orchestrator.store.JobStatus;
import dev.loraplane.orchestrator.store.Store;
import dev.loraplane.orchestrator.store.StoredFile;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs submitted to the control plane, run by the Kubernetes executor on the mock API server: what
 * a user sees in the job's events and status while the simulated kubelet runs its pods.
 */
class TrainingOnKubernetesTest {

    static final String H100 = "NVIDIA-H100-80GB-HBM3";

    @TempDir
    Path dir;

    KubernetesMockServer server = Kubelet.apiServer();
    KubernetesClient client = server.createClient();
    Kubelet kubelet = new Kubelet(client);
    Kubelet.Logs logs = kubelet.logs();
    Store store;
    EvalStore evals;
    ArtifactStore artifacts;
    BaseModel model;
    KubernetesExecutor executor;
    JobRunner runner;
    /** Other control planes' executors and logs, closed once the API server has stopped. */
    final List<AutoCloseable> replicas = new ArrayList<>();

    @BeforeEach
    void setUp() {
        kubelet.addNode("gpu-1", "nvidia.com/gpu", 2, "nvidia.com/gpu.product", H100);
        Path tiny = dir.resolve("models/tiny");
        TinyModel.write(Preset.TINY, tiny, 0);
        model = new BaseModel("loraplane-tiny", tiny, 3e-3, 64, Map.of("nvidia", 1000.0));
        Database database = Database.h2(dir.resolve("db"));
        store = Store.open(database);
        evals = new EvalStore(database);
        artifacts = new ArtifactStore(dir.resolve("artifacts"));
        try {
            Path train = Files.writeString(dir.resolve("train.jsonl"), ("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"},"
                    + " {\"role\": \"assistant\", \"content\": \"hello\"}]}\n").repeat(20));
            ArtifactStore.Blob blob = artifacts.putMoving(train);
            store.insertFile(new StoredFile("file-1", "acme", "train.jsonl", "fine-tune", blob.bytes(), blob.sha256(), 1));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        executor = connect("loraplane:test", logs);
        runner = runner(executor);
    }

    @AfterEach
    void tearDown() {
        List<AutoCloseable> users = new ArrayList<>();
        users.add(executor);
        users.add(logs::close);
        users.addAll(replicas);
        users.add(client);
        Kubelet.stop(server, users.toArray(AutoCloseable[]::new));
    }

    KubernetesExecutor connect(String image, Kubelet.Logs logs) {
        K8sSettings settings = K8sSettings.defaults("training", dir.toString()).withImages(Map.of("nvidia", image));
        return KubernetesExecutor.connect(client, settings, KubernetesExecutorTest.KINDS, logs);
    }

    JobRunner runner(KubernetesExecutor executor) {
        return new JobRunner(store, evals, artifacts, Map.of(model.name(), model), List.of(executor),
                new JobRunner.Policies(new Scheduler(Quotas.NONE), new RetryPolicy(3, 0, 1, 0),
                        new CostEstimator(new PriceTable(Map.of("nvidia", 3.6)), store::measuredThroughput)),
                dir, new ControlPlaneMetrics(), () -> { });
    }

    Job submit(String id) {
        return submit(id, 1);
    }

    Job submit(String id, int gpus) {
        JsonObject request = new JsonObject().put("model", model.name()).put("training_file", "file-1").put("seed", 7)
                .put("hyperparameters", new JsonObject().put("n_epochs", 1))
                .put("lora", new JsonObject().put("r", 8).put("alpha", 16.0).put("dropout", 0.0)
                        .put("target_modules", new JsonArray(List.of("q_proj", "v_proj"))))
                .put("quantization", "nf4").put("accelerator", new JsonObject().put("type", "nvidia").put("count", gpus));
        return store.createJob(Job.created(id, "acme", model.name(), 0, "file-1", null, request.encode(), null, 1), "created");
    }

    Job job(String id) {
        return store.jobById(id).orElseThrow();
    }

    List<String> messages(String id) {
        return store.events(id, 0, 100).stream().map(JobEvent::message).toList();
    }

    io.fabric8.kubernetes.api.model.batch.v1.Job clusterJob(String name) {
        return client.batch().v1().jobs().inNamespace("training").withName(name).get();
    }

    /** The Job controller makes the attempt's pod and the kubelet starts its worker. */
    Pod runPod(String name) {
        await(() -> clusterJob(name) != null, "Job " + name + " exists");
        Pod pod = kubelet.createPod(clusterJob(name), "gpu-1");
        kubelet.running(pod);
        return pod;
    }

    String completedLine(String jobId) throws Exception {
        Path adapter = Files.createDirectories(dir.resolve("adapters").resolve(jobId));
        Files.writeString(adapter.resolve("adapter_config.json"), "{\"r\": 8}");
        return new JsonObject().put("type", "completed").put("adapter", adapter.toString()).put("sha256", "abc")
                .put("trained_tokens", 120).encode();
    }

    @Test
    void aJobRunsAsAKubernetesJobAndAnOomKilledAttemptIsRetried() throws Exception {
        submit("ftjob-k8s00001");
        runner.sweep();
        assertThat(job("ftjob-k8s00001").status()).isEqualTo(JobStatus.RUNNING);
        await(() -> clusterJob("ftjob-k8s00001-a1") != null, "the attempt's Job is created");
        var first = clusterJob("ftjob-k8s00001-a1");
        var pod = first.getSpec().getTemplate().getSpec();
        assertThat(pod.getContainers().get(0).getResources().getLimits().get("nvidia.com/gpu")).hasToString("1");
        assertThat(pod.getNodeSelector()).containsEntry("nvidia.com/gpu.product", H100);
        assertThat(pod.getTolerations()).anySatisfy(t -> {
            assertThat(t.getKey()).isEqualTo("nvidia.com/gpu");
            assertThat(t.getEffect()).isEqualTo("NoSchedule");
        });
        assertThat(first.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "loraplane")
                .containsEntry("loraplane.dev/job-id", "ftjob-k8s00001").containsEntry("loraplane.dev/tenant", "acme")
                .containsEntry("loraplane.dev/attempt", "1");
        assertThat(first.getSpec().getBackoffLimit()).as("loraplane owns retries").isZero();
        assertThat(first.getSpec().getActiveDeadlineSeconds()).isPositive();
        assertThat(first.getSpec().getTtlSecondsAfterFinished()).isPositive();

        Pod worker = runPod("ftjob-k8s00001-a1");
        kubelet.print(worker, "{\"type\": \"started\", \"total_steps\": 5}");
        kubelet.print(worker, "{\"type\": \"progress\", \"step\": 1, \"total_steps\": 5, \"loss\": 2.5, \"eta_seconds\": 8.0}");
        await(() -> messages("ftjob-k8s00001").contains("Step 1/5: training loss=2.5000"), "the worker's lines become events");
        assertThat(messages("ftjob-k8s00001")).contains("Training started: 5 steps",
                "Pod " + worker.getMetadata().getName() + " is scheduled on node gpu-1");
        kubelet.terminated(worker, 137, "OOMKilled");
        await(() -> job("ftjob-k8s00001").status() == JobStatus.QUEUED, "the job goes back to the queue");
        assertThat(messages("ftjob-k8s00001")).anyMatch(m -> m.startsWith("The worker ran out of memory") && m.contains("OOMKilled"));
        assertThat(store.attempts("ftjob-k8s00001")).extracting(AttemptRecord::outcome).containsExactly("out_of_memory");

        runner.sweep();
        Pod second = runPod("ftjob-k8s00001-a2");
        kubelet.print(second, completedLine("ftjob-k8s00001"));
        kubelet.terminated(second, 0, "Completed");
        await(() -> job("ftjob-k8s00001").status() == JobStatus.SUCCEEDED, "the retried attempt succeeds");
        assertThat(job("ftjob-k8s00001").fineTunedModel()).startsWith("ft:loraplane-tiny:");
        assertThat(store.attempts("ftjob-k8s00001")).extracting(AttemptRecord::outcome).containsExactly("out_of_memory", "succeeded");
        assertThat(store.attempts("ftjob-k8s00001")).allSatisfy(a -> assertThat(a.executor()).isEqualTo("kubernetes:training"));
    }

    @Test
    void aPodNoNodeTakesPutsTheSchedulersReasonInTheJobsEventsOnce() throws Exception {
        submit("ftjob-pending1");
        runner.sweep();
        await(() -> clusterJob("ftjob-pending1-a1") != null, "the attempt's Job is created");
        Pod pod = kubelet.createPod(clusterJob("ftjob-pending1-a1"), null);
        String reason = "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: },"
                + " 2 Insufficient nvidia.com/gpu. preemption: 0/3 nodes are available: 3 No preemption victims found for"
                + " incoming pod.";
        String event = "Pod " + pod.getMetadata().getName() + " waits for a node: " + reason;
        for (int i = 0; i < 3; i++) {   // the scheduler tries again and again
            kubelet.unschedulable(pod, reason);
        }
        await(() -> messages("ftjob-pending1").contains(event), "the reason is in the job's events");
        kubelet.running(kubelet.bind(pod, "gpu-1"));
        await(() -> messages("ftjob-pending1").contains("Pod " + pod.getMetadata().getName() + " is scheduled on node gpu-1"),
                "the node is in the job's events");

        assertThat(messages("ftjob-pending1").stream().filter(event::equals)).hasSize(1);
        assertThat(store.events("ftjob-pending1", 0, 100)).filteredOn(e -> e.message().equals(event))
                .singleElement().satisfies(e -> assertThat(e.level()).isEqualTo("warn"));
        assertThat(job("ftjob-pending1").status()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void aJobMustFitOnOneNodeNotOnTheFreeGpusOfTwo() throws Exception {
        kubelet.addNode("gpu-2", "nvidia.com/gpu", 2, "nvidia.com/gpu.product", H100);
        await(() -> executor.pools().get(0).total() == 4, "the pool counts both nodes");
        submit("ftjob-four0001", 4);
        submit("ftjob-two00001", 2);
        runner.sweep();

        assertThat(job("ftjob-four0001").status()).as("2 + 2 free GPUs on two nodes").isEqualTo(JobStatus.QUEUED);
        assertThat(messages("ftjob-four0001")).contains("No executor has 4 × nvidia (executors offer: kubernetes:training 4 × nvidia "
                + H100 + " (at most 2 on one machine)); the job waits until one does");
        assertThat(job("ftjob-two00001").status()).isEqualTo(JobStatus.RUNNING);
        await(() -> clusterJob("ftjob-two00001-a1") != null, "the two-GPU attempt's Job is created");
        assertThat(clusterJob("ftjob-two00001-a1").getSpec().getTemplate().getSpec().getContainers().get(0).getResources()
                .getLimits().get("nvidia.com/gpu")).hasToString("2");
        assertThat(client.batch().v1().jobs().inNamespace("training").list().getItems()).hasSize(1);
        await(() -> client.configMaps().inNamespace("training").withName("ftjob-two00001-a1").get() != null, "its spec is created");
    }

    @Test
    void cancellingARunningJobDeletesItsKubernetesJob() throws Exception {
        submit("ftjob-cancel01");
        runner.sweep();
        Pod pod = runPod("ftjob-cancel01-a1");
        kubelet.print(pod, "{\"type\": \"started\", \"total_steps\": 5}");
        await(() -> messages("ftjob-cancel01").contains("Training started: 5 steps"), "the worker is heard");

        Job running = job("ftjob-cancel01");   // what POST /v1/fine_tuning/jobs/{id}/cancel does, then the runner hears of it
        store.transition(running.moved(JobStatus.CANCELLED, running.attempts(), System.currentTimeMillis() / 1000),
                Set.of(JobStatus.RUNNING), new JobEvent(running.id(), 0, System.currentTimeMillis() / 1000, "info",
                        "message", "Job cancelled", null));
        runner.cancelled("ftjob-cancel01");

        await(() -> clusterJob("ftjob-cancel01-a1") == null, "the Kubernetes Job is deleted");
        await(() -> client.configMaps().inNamespace("training").withName("ftjob-cancel01-a1").get() == null,
                "its spec ConfigMap is deleted");
        await(() -> store.attempts("ftjob-cancel01").get(0).outcome() != null, "the attempt is over");
        assertThat(store.attempts("ftjob-cancel01")).extracting(AttemptRecord::outcome).containsExactly("cancelled");
        assertThat(job("ftjob-cancel01").status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(executor.isRunning("ftjob-cancel01")).isFalse();
        assertThat(executor.pools().get(0).free()).as("its GPU is free").isEqualTo(2);
    }

    @Test
    void theInventoryCapsDispatchAtTheClustersFreeGpus() throws Exception {
        for (int i = 1; i <= 3; i++) {
            submit("ftjob-cap0000" + i);
        }
        runner.sweep();

        await(() -> client.batch().v1().jobs().inNamespace("training").list().getItems().size() == 2, "two Jobs are created");
        Thread.sleep(100);
        assertThat(client.batch().v1().jobs().inNamespace("training").list().getItems()).as("a node with 2 GPUs").hasSize(2);
        assertThat(store.jobsIn(List.of(JobStatus.RUNNING))).hasSize(2);
        Job waiting = store.jobsIn(List.of(JobStatus.QUEUED)).get(0);
        assertThat(executor.pools()).singleElement().satisfies(p -> assertThat(p.free()).isZero());

        String running = store.jobsIn(List.of(JobStatus.RUNNING)).get(0).id();
        Pod pod = runPod(running + "-a1");
        kubelet.print(pod, completedLine(running));
        kubelet.terminated(pod, 0, "Completed");
        await(() -> job(running).status() == JobStatus.SUCCEEDED, "one finishes");
        await(() -> executor.pools().get(0).free() == 1, "its GPU is free once its pod has ended");
        runner.sweep();   // the sweep the attempt's end wakes
        assertThat(job(waiting.id()).status()).as("its GPU goes to the waiting job").isEqualTo(JobStatus.RUNNING);
        await(() -> clusterJob(waiting.id() + "-a1") != null, "its Job is created");
    }

    @Test
    void aJobWaitsForTheGpusAnotherWorkloadsPodHoldsAndRunsOnceThatPodEnds() throws Exception {
        Pod inference = kubelet.otherWorkload("inference", "llm-0", "gpu-1", 2, 0);
        await(() -> executor.pools().get(0).free() == 0, "the other pod's GPUs are taken");
        submit("ftjob-other001");
        runner.sweep();

        assertThat(job("ftjob-other001").status()).as("both GPUs of the node are another workload's").isEqualTo(JobStatus.QUEUED);
        assertThat(executor.pools()).singleElement().satisfies(p -> {
            assertThat(p.total()).isEqualTo(2);
            assertThat(p.largestFree()).isZero();
        });
        assertThat(client.batch().v1().jobs().inNamespace("training").list().getItems()).isEmpty();

        CompletableFuture<Void> woken = new CompletableFuture<>();
        executor.onCapacityChange(() -> woken.complete(null));
        kubelet.status(inference, new PodStatusBuilder().withPhase("Succeeded").build());
        await(woken::isDone, "the other pod's end wakes the scheduler");
        runner.sweep();   // the sweep it wakes
        assertThat(job("ftjob-other001").status()).isEqualTo(JobStatus.RUNNING);
        await(() -> clusterJob("ftjob-other001-a1") != null, "its Job is created");
        await(() -> client.configMaps().inNamespace("training").withName("ftjob-other001-a1").get() != null, "its spec is created");
    }

    @Test
    void aRestartedControlPlaneAdoptsTheRunningJobInsteadOfStartingAnother() throws Exception {
        submit("ftjob-restart1");
        runner.sweep();
        Pod pod = runPod("ftjob-restart1-a1");
        kubelet.print(pod, "{\"type\": \"started\", \"total_steps\": 5}");
        await(() -> messages("ftjob-restart1").contains("Training started: 5 steps"), "the worker is heard");
        executor.close();   // the control plane dies
        logs.close();

        logs = kubelet.logs();
        executor = connect("loraplane:test", logs);
        runner = runner(executor);
        runner.sweep();
        runner.sweep();
        assertThat(job("ftjob-restart1").status()).isEqualTo(JobStatus.RUNNING);
        assertThat(job("ftjob-restart1").attempts()).as("no second attempt").isEqualTo(1);
        assertThat(client.batch().v1().jobs().inNamespace("training").list().getItems()).hasSize(1);

        kubelet.print(pod, completedLine("ftjob-restart1"));
        kubelet.terminated(pod, 0, "Completed");
        await(() -> job("ftjob-restart1").status() == JobStatus.SUCCEEDED, "the adopted attempt finishes the job");
        assertThat(store.attempts("ftjob-restart1")).extracting(AttemptRecord::outcome).containsExactly("succeeded");
        assertThat(messages("ftjob-restart1")).noneMatch(m -> m.startsWith("The worker is gone"));
    }

    @Test
    void withTwoControlPlanesOnlyTheLeaseHolderSchedules() throws Exception {
        Kubelet.Logs logsB = kubelet.logs();
        KubernetesExecutor executorB = connect("loraplane:replica-b", logsB);
        replicas.add(executorB);
        replicas.add(logsB::close);
        LeaseLeadership a = new LeaseLeadership(client, "training", "loraplane-scheduler", "replica-a", LeaseLeadershipTest.FAST);
        LeaseLeadership b = new LeaseLeadership(client, "training", "loraplane-scheduler", "replica-b", LeaseLeadershipTest.FAST);
        Vertx vertx = Vertx.vertx();
        try {
            String deploymentA = vertx.deployVerticle(new RunnerVerticle(runner, a, "jobs", 100)).await();
            vertx.deployVerticle(new RunnerVerticle(runner(executorB), b, "jobs-b", 100)).await();
            await(() -> a.acquire() || b.acquire(), "a replica leads");
            boolean aLeads = a.acquire();
            submit("ftjob-leader01");
            await(() -> clusterJob("ftjob-leader01-a1") != null, "the leader starts the job");
            Thread.sleep(300);   // several sweeps of both

            assertThat(client.batch().v1().jobs().inNamespace("training").list().getItems()).hasSize(1);
            assertThat(clusterJob("ftjob-leader01-a1").getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                    .as("started by the lease holder").isEqualTo(aLeads ? "loraplane:test" : "loraplane:replica-b");
            assertThat(job("ftjob-leader01").attempts()).isEqualTo(1);
        } finally {
            vertx.close().await();
            a.close();
            b.close();
        }
    }
}
