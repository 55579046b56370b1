package dev.loraplane.orchestrator.api;

import static dev.loraplane.orchestrator.api.FilesApiTest.GOOD;
import static dev.loraplane.orchestrator.api.TestApi.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.orchestrator.metrics.ControlPlaneMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.multipart.MultipartForm;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** GET /metrics over real HTTP: the API's own request series, the job gauges, and what the runner records. */
@ExtendWith(VertxExtension.class)
class MetricsApiTest {

    private static final String REQUESTS = "loraplane_http_server_requests_seconds_count";

    @TempDir
    Path dir;

    ControlPlaneMetrics metrics;
    WebClient client;
    int port;
    String fileId;

    @BeforeEach
    void start(Vertx vertx) throws Exception {
        metrics = new ControlPlaneMetrics();
        port = TestApi.start(vertx, dir, 1 << 20, metrics);
        client = WebClient.create(vertx);
        Path file = Files.writeString(dir.resolve("train.jsonl"), GOOD.repeat(12));
        fileId = await(client.post(port, "127.0.0.1", "/v1/files").bearerTokenAuthentication("sk-acme")
                .sendMultipartForm(MultipartForm.create().attribute("purpose", "fine-tune")
                        .textFileUpload("file", "train.jsonl", file.toString(), "application/jsonl")))
                .bodyAsJsonObject().getString("id");
    }

    @AfterEach
    void close() {
        metrics.close();
    }

    private int status(HttpRequest<Buffer> request) throws Exception {
        return await(request.send()).statusCode();
    }

    private String createJob(String accelerator) throws Exception {
        HttpResponse<Buffer> created = await(client.post(port, "127.0.0.1", "/v1/fine_tuning/jobs").bearerTokenAuthentication("sk-acme")
                .sendJsonObject(new JsonObject().put("model", "loraplane-tiny").put("training_file", fileId)
                        .put("accelerator", new JsonObject().put("type", accelerator))));
        assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(200);
        return created.bodyAsJsonObject().getString("id");
    }

    private HttpResponse<Buffer> scrape() throws Exception {
        return await(client.get(port, "127.0.0.1", "/metrics").send());
    }

    private static List<String> samples(HttpResponse<Buffer> scrape) {
        return scrape.bodyAsString().lines().filter(l -> !l.startsWith("#")).toList();
    }

    @Test
    void requestsAreTimedUnderTheRouteTheyMatchedNeverTheirPath() throws Exception {
        String job = createJob("cpu");
        assertThat(status(client.get(port, "127.0.0.1", "/v1/fine_tuning/jobs/ftjob-abc").bearerTokenAuthentication("sk-acme")))
                .isEqualTo(404);
        assertThat(status(client.get(port, "127.0.0.1", "/v1/fine_tuning/jobs/" + job).bearerTokenAuthentication("sk-acme")))
                .isEqualTo(200);
        assertThat(status(client.get(port, "127.0.0.1", "/v1/fine_tuning/jobs/" + job).bearerTokenAuthentication("sk-globex")))
                .isEqualTo(404);
        assertThat(status(client.get(port, "127.0.0.1", "/v1/fine_tuning/jobs/ftjob-abc/events").bearerTokenAuthentication("sk-acme")))
                .isEqualTo(404);
        assertThat(status(client.get(port, "127.0.0.1", "/v1/fine_tuning/jobs/" + job))).isEqualTo(401);
        assertThat(status(client.get(port, "127.0.0.1", "/nowhere/ftjob-xyz"))).isEqualTo(404);

        HttpResponse<Buffer> scrape = scrape();
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.getHeader("content-type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        assertThat(samples(scrape)).contains(
                REQUESTS + "{method=\"POST\",route=\"/v1/files\",status=\"200\"} 1",
                REQUESTS + "{method=\"POST\",route=\"/v1/fine_tuning/jobs\",status=\"200\"} 1",
                REQUESTS + "{method=\"GET\",route=\"/v1/fine_tuning/jobs/:id\",status=\"200\"} 1",
                REQUESTS + "{method=\"GET\",route=\"/v1/fine_tuning/jobs/:id\",status=\"404\"} 2",
                REQUESTS + "{method=\"GET\",route=\"/v1/fine_tuning/jobs/:id/events\",status=\"404\"} 1",
                REQUESTS + "{method=\"GET\",route=\"/v1/fine_tuning/jobs/:id\",status=\"401\"} 1",
                REQUESTS + "{method=\"GET\",route=\"unmatched\",status=\"404\"} 1");
        assertThat(scrape.bodyAsString()).doesNotContain("ftjob-").doesNotContain(fileId).doesNotContain("nowhere");

        // The scrape itself is timed once it has ended.
        assertThat(samples(scrape())).contains(REQUESTS + "{method=\"GET\",route=\"/metrics\",status=\"200\"} 1");
    }

    @Test
    void theJobGaugesCountCreatedJobsAndTheRunnersEventsAppear() throws Exception {
        createJob("cpu");
        createJob("nvidia");
        metrics.attemptStarted("acme", "nvidia", 3);
        metrics.deviceTime("acme", "nvidia", 120, 0.1);

        List<String> samples = samples(scrape());
        assertThat(samples).contains(
                "loraplane_jobs{status=\"validating_files\"} 2.0",
                "loraplane_jobs{status=\"queued\"} 0.0",
                "loraplane_attempts_started_total{accelerator=\"nvidia\",tenant=\"acme\"} 1.0",
                "loraplane_device_seconds_total{accelerator=\"nvidia\",tenant=\"acme\"} 120.0",
                "loraplane_cost_usd_total{accelerator=\"nvidia\",kind=\"training\",tenant=\"acme\"} 0.1");
        assertThat(samples).anyMatch(l -> l.startsWith("jvm_memory_used_bytes{"));
    }
}
