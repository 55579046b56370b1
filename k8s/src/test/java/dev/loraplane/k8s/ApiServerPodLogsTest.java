package dev.loraplane.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Following a worker's log through the mock API server, whose log endpoint plays a kubelet behind an
 * API server that drops the stream now and then: every worker line is handed on exactly once.
 */
class ApiServerPodLogsTest {

    static final String POD = "ftjob-logs-a1-x7k2p";
    static final String LOG_PATH = "/api/v1/namespaces/training/pods/" + POD + "/log";
    static final String POD_PATH = "/api/v1/namespaces/training/pods/" + POD;

    /** One log stream as the API server serves it: up to how many characters, or a failure. */
    record Stream(int cutAt, int status) {
        static Stream whole() {
            return new Stream(Integer.MAX_VALUE, 200);
        }

        static Stream cut(int at) {
            return new Stream(at, 200);
        }

        static Stream failing() {
            return new Stream(0, 503);
        }
    }

    /**
     * The API server: pods kept in CRUD mode, except that a GET of the worker's pod says it is
     * terminated once {@code terminatedAfter} log streams were served, and its log is served from
     * {@link #log}, stamped, from {@code sinceTime} truncated to the second as the API server does.
     */
    static final class ApiServer extends KubernetesCrudDispatcher {
        final List<String> log = new CopyOnWriteArrayList<>();
        final ConcurrentLinkedQueue<Stream> streams = new ConcurrentLinkedQueue<>();
        final List<String> sinceTimes = new CopyOnWriteArrayList<>();
        final AtomicInteger served = new AtomicInteger();
        volatile int terminatedAfter = Integer.MAX_VALUE;
        volatile String running;
        volatile String terminated;

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String path = request.getPath();
            if (path.startsWith(LOG_PATH + "?")) {
                return log(query(path));
            }
            if (path.equals(POD_PATH) && request.getMethod().equals("GET")) {
                String pod = served.get() >= terminatedAfter ? terminated : running;
                return pod != null ? new MockResponse().setResponseCode(200).setBody(pod) : new MockResponse().setResponseCode(404)
                        .setBody("{\"kind\": \"Status\", \"apiVersion\": \"v1\", \"status\": \"Failure\", \"reason\": \"NotFound\","
                                + " \"code\": 404}");
            }
            return super.dispatch(request);
        }

        private MockResponse log(Map<String, String> query) {
            assertThat(query).containsEntry("timestamps", "true").containsEntry("follow", "true").containsEntry("container", "worker");
            String since = query.get("sinceTime");
            sinceTimes.add(since == null ? "" : since);
            Stream stream = streams.isEmpty() ? Stream.whole() : streams.poll();
            served.incrementAndGet();
            if (stream.status() != 200) {
                return new MockResponse().setResponseCode(stream.status()).setBody("{\"kind\": \"Status\", \"code\": 503}");
            }
            Instant from = since == null ? Instant.EPOCH : Instant.parse(since).truncatedTo(ChronoUnit.SECONDS);
            String body = log.stream().filter(l -> !Instant.parse(l.substring(0, l.indexOf(' '))).isBefore(from))
                    .map(l -> l + "\n").collect(Collectors.joining());
            return new MockResponse().setResponseCode(200).setBody(body.substring(0, Math.min(stream.cutAt(), body.length())));
        }

        private static Map<String, String> query(String path) {
            Map<String, String> query = new HashMap<>();
            for (String pair : path.substring(path.indexOf('?') + 1).split("&")) {
                int eq = pair.indexOf('=');
                query.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
            return query;
        }
    }

    ApiServer api = new ApiServer();
    KubernetesMockServer server;
    KubernetesClient client;

    @BeforeEach
    void setUp() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), api, false);
        server.init();
        client = server.createClient();
        Pod running = new PodBuilder().withNewMetadata().withName(POD).withNamespace("training").endMetadata()
                .withNewSpec().addNewContainer().withName("worker").withImage("loraplane:test").endContainer().endSpec()
                .withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus("True").endCondition()
                .addNewContainerStatus().withName("worker").withReady(true).withNewState().withNewRunning().endRunning()
                .endState().endContainerStatus().endStatus().build();
        client.pods().resource(running).create();
        Pod terminated = new PodBuilder(running).editStatus().withPhase("Succeeded").withConditions().withContainerStatuses()
                .addNewContainerStatus().withName("worker").withNewState().withNewTerminated().withExitCode(0)
                .withReason("Completed").endTerminated().endState().endContainerStatus().endStatus().build();
        api.running = client.getKubernetesSerialization().asJson(running);
        api.terminated = client.getKubernetesSerialization().asJson(terminated);
    }

    @AfterEach
    void tearDown() {
        Kubelet.stop(server, client);
    }

    /** The worker printed {@code text} at {@code time}, as the kubelet stamps it. */
    void print(String time, String text) {
        api.log.add("2026-11-28T" + time + "Z " + text);
    }

    List<String> follow(Instant since) throws Exception {
        List<String> lines = new ArrayList<>();
        new ApiServerPodLogs(client).follow("training", POD, since, lines::add);
        return lines;
    }

    @Test
    void aStreamThatEndsWhileTheWorkerRunsIsOpenedAgainAndNoLineIsHandedOnTwice() throws Exception {
        print("10:00:00.100000000", "{\"step\": 1}");
        print("10:00:01.200000000", "{\"step\": 2}");
        print("10:00:01.200000000", "{\"step\": 3}");   // stamped the same nanosecond as step 2
        print("10:00:01.700000000", "{\"step\": 4}");
        print("10:00:02.000000000", "{\"step\": 5}");
        print("10:00:03.500000000", "{\"type\": \"completed\"}");
        int lineLength = api.log.get(0).length() + 1;
        api.streams.add(Stream.cut(2 * lineLength + 20));   // steps 1 and 2, and half of step 3
        api.streams.add(Stream.cut(3 * lineLength + 20));   // from 10:00:01: steps 2, 3, 4, and half of 5
        api.streams.add(Stream.failing());                   // the API server restarts
        api.terminatedAfter = 4;                             // the worker has ended once the fourth stream is served

        List<String> lines = follow(null);

        assertThat(lines).containsExactly("{\"step\": 1}", "{\"step\": 2}", "{\"step\": 3}", "{\"step\": 4}", "{\"step\": 5}",
                "{\"type\": \"completed\"}");
        assertThat(api.sinceTimes).startsWith("", "2026-11-28T10:00:01.200Z", "2026-11-28T10:00:01.700Z");
        assertThat(api.sinceTimes).last().isEqualTo("2026-11-28T10:00:03.500Z");
    }

    @Test
    void aFollowFromATimeHandsOnTheLinesFromThatTimeOn() throws Exception {
        print("10:00:00.100000000", "{\"step\": 1}");
        print("10:00:01.200000000", "{\"step\": 2}");
        print("10:00:01.700000000", "{\"step\": 3}");
        print("10:00:02.000000000", "{\"step\": 4}");
        api.terminatedAfter = 0;

        assertThat(follow(Instant.parse("2026-11-28T10:00:01.700Z"))).containsExactly("{\"step\": 3}", "{\"step\": 4}");
        assertThat(api.sinceTimes).containsExactly("2026-11-28T10:00:01.700Z");
    }

    @Test
    void aPodThatIsGoneEndsTheFollow() throws Exception {
        client.pods().inNamespace("training").withName(POD).delete();
        api.running = null;

        assertThat(follow(null)).isEmpty();
        assertThat(api.sinceTimes).isEmpty();
    }
}
