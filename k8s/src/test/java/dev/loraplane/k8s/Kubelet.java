package dev.loraplane.k8s;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.HashMap;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What a cluster does that the mock API server does not: the Job controller makes each Job's pod, the
 * kubelet moves it through its phases and keeps the worker's log, which {@link #logs} serves.
 */
final class Kubelet {

    private static final String END = "\u0000end";

    private final KubernetesClient client;
    private final Map<String, List<String>> logs = new ConcurrentHashMap<>();
    /** Pod → the {@code since} its log was last followed from. */
    final Map<String, Instant> followedSince = new ConcurrentHashMap<>();

    Kubelet(KubernetesClient client) {
        this.client = client;
    }

    /** Fabric8's mock API server in CRUD mode: it keeps what it is sent and serves lists and watches of it. */
    static KubernetesMockServer apiServer() {
        return apiServer(new KubernetesCrudDispatcher());
    }

    /**
     * The API server as it answers a control plane whose service account has no ClusterRole granting
     * pods: 403 Forbidden to listing or watching them in all namespaces.
     */
    static KubernetesMockServer apiServerForbiddingPodsInAllNamespaces() {
        String forbidden = new KubernetesSerialization().asJson(new StatusBuilder().withStatus("Failure").withCode(403)
                .withReason("Forbidden").withMessage("pods is forbidden: User \"system:serviceaccount:loraplane:"
                        + "loraplane-control-plane\" cannot list resource \"pods\" in API group \"\" at the cluster scope")
                .build());
        return apiServer(new KubernetesCrudDispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return request.getPath().startsWith("/api/v1/pods?") ? new MockResponse().setResponseCode(403).setBody(forbidden)
                        : super.dispatch(request);
            }
        });
    }

    /**
     * Stops {@code server}, then closes what used it, in order. The server goes first: Vert.x 5 closes
     * a server only once each WebSocket has done its close handshake, and a watch whose informer is
     * closing it while the server does may wait out the 10 s closing timeout, which is the mock
     * server's own limit for closing. In a probe of 300 teardowns each way, 6 timed out with the
     * informers closed first and none with the server stopped under live watches: a live client
     * answers the server's Close at once.
     */
    static void stop(KubernetesMockServer server, AutoCloseable... users) {
        server.destroy();
        for (AutoCloseable user : users) {
            try {
                user.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static KubernetesMockServer apiServer(KubernetesCrudDispatcher dispatcher) {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher,
                false);
        server.init();
        return server;
    }

    /** A Ready node whose device plugin advertises {@code count} of {@code resource}. */
    Node addNode(String name, String resource, int count, String productLabel, String product) {
        return client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).addToLabels(productLabel, product)
                .endMetadata().withNewStatus().addToAllocatable(resource, new Quantity(String.valueOf(count)))
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build()).create();
    }

    /** The Job controller's part: the Job's pod, from its template, bound to {@code node} (null: to none yet), Pending. */
    Pod createPod(Job job, String node) {
        Pod pod = new PodBuilder().withNewMetadata().withName(job.getMetadata().getName() + "-x7k2p")
                .withNamespace(job.getMetadata().getNamespace())
                .withLabels(job.getSpec().getTemplate().getMetadata().getLabels())
                .withAnnotations(job.getSpec().getTemplate().getMetadata().getAnnotations()).endMetadata()
                .withSpec(new io.fabric8.kubernetes.api.model.PodSpecBuilder(job.getSpec().getTemplate().getSpec())
                        .withNodeName(node).build())
                .withStatus(new PodStatusBuilder().withPhase("Pending").build()).build();
        logs.put(pod.getMetadata().getName(), new CopyOnWriteArrayList<>());
        return client.pods().resource(pod).create();
    }

    /**
     * Another workload's pod, not loraplane's, whose container asks for {@code gpus} of
     * {@code nvidia.com/gpu} (a limit, as such pods set it) and whose init container for
     * {@code initGpus}: Running on {@code node}, or Pending on none yet (null).
     */
    Pod otherWorkload(String namespace, String name, String node, int gpus, int initGpus) {
        return client.pods().resource(new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels("app.kubernetes.io/name", "inference").endMetadata().withNewSpec().withNodeName(node)
                .addNewInitContainer().withName("warm-up").withNewResources()
                .addToLimits("nvidia.com/gpu", new Quantity(String.valueOf(initGpus))).endResources().endInitContainer()
                .addNewContainer().withName("server").withNewResources()
                .addToLimits("nvidia.com/gpu", new Quantity(String.valueOf(gpus))).endResources().endContainer().endSpec()
                .withNewStatus().withPhase(node == null ? "Pending" : "Running").endStatus().build()).create();
    }

    /** The scheduler's part when no node can take the pod: it stays Pending, and says why. */
    void unschedulable(Pod pod, String message) {
        status(pod, new PodStatusBuilder().withPhase("Pending").addNewCondition().withType("PodScheduled").withStatus("False")
                .withReason("Unschedulable").withMessage(message).endCondition().build());
    }

    /** The scheduler binds the pod to {@code node}. */
    Pod bind(Pod pod, String node) {
        Pod current = client.pods().resource(pod).get();
        return client.pods().resource(new PodBuilder(current).editSpec().withNodeName(node).endSpec().editStatus()
                .withConditions().endStatus().build()).update();
    }

    void running(Pod pod) {
        status(pod, new PodStatusBuilder().withPhase("Running").addToContainerStatuses(new ContainerStatusBuilder()
                .withName("worker").withNewState().withNewRunning().endRunning().endState().build()).build());
    }

    /** The worker's container ends: its log ends with it. */
    void terminated(Pod pod, int exitCode, String reason) {
        status(pod, new PodStatusBuilder().withPhase(exitCode == 0 ? "Succeeded" : "Failed").addToContainerStatuses(
                new ContainerStatusBuilder().withName("worker").withNewState().withNewTerminated().withExitCode(exitCode)
                        .withReason(reason).endTerminated().endState().build()).build());
        logs.get(pod.getMetadata().getName()).add(END);
    }

    void status(Pod pod, PodStatus status) {
        client.pods().resource(new PodBuilder(client.pods().resource(pod).get()).withStatus(status).build()).update();
    }

    /** The worker prints a line. */
    void print(Pod pod, String line) {
        logs.get(pod.getMetadata().getName()).add(line);
    }

    /**
     * The logs as the API server serves them, from what {@link #print} wrote, to one control plane:
     * closing them ends its reads, as its process dying would.
     */
    Logs logs() {
        return new Logs();
    }

    final class Logs implements PodLogs {

        private volatile boolean open = true;

        @Override
        public void follow(String namespace, String pod, Instant since, Consumer<String> lines) throws IOException {
            followedSince.put(pod, since == null ? Instant.EPOCH : since);
            List<String> log = logs.get(pod);
            for (int read = 0; open; ) {
                if (read < log.size()) {
                    String line = log.get(read++);
                    if (line.equals(END)) {
                        return;
                    }
                    lines.accept(line);
                } else {
                    sleep();
                }
            }
        }

        void close() {
            open = false;
        }
    }

    private static void sleep() throws IOException {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("the control plane stopped reading");
        }
    }
}
