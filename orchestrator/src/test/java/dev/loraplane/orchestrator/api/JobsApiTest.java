package dev.loraplane.orchestrator.api;

import static dev.loraplane.orchestrator.api.FilesApiTest.GOOD;
import static dev.loraplane.orchestrator.api.TestApi.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.orchestrator.store.Store;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.multipart.MultipartForm;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The fine-tuning jobs API over real HTTP. */
@ExtendWith(VertxExtension.class)
class JobsApiTest {

    @TempDir
    Path dir;

    WebClient client;
    int port;
    String fileId;

    @BeforeEach
    void start(Vertx vertx) throws Exception {
        int apiPort = TestApi.start(vertx, dir, 1 << 20);
        port = apiPort;
        client = WebClient.create(vertx);
        Path file = Files.writeString(dir.resolve("train.jsonl"), GOOD.repeat(12));
        fileId = await(client.post(port, "127.0.0.1", "/v1/files").bearerTokenAuthentication("sk-acme")
                .sendMultipartForm(MultipartForm.create().attribute("purpose", "fine-tune")
                        .textFileUpload("file", "train.jsonl", file.toString(), "application/jsonl")))
                .bodyAsJsonObject().getString("id");
    }

    private HttpResponse<Buffer> post(String path, String key, String body, String idempotencyKey) throws Exception {
        var request = client.post(port, "127.0.0.1", path).bearerTokenAuthentication(key).putHeader("content-type", "application/json");
        if (idempotencyKey != null) {
            request.putHeader("Idempotency-Key", idempotencyKey);
        }
        return await(request.sendBuffer(Buffer.buffer(body)));
    }

    private HttpResponse<Buffer> get(String path, String key) throws Exception {
        return await(client.get(port, "127.0.0.1", path).bearerTokenAuthentication(key).send());
    }

    private String create(String extra) throws Exception {
        HttpResponse<Buffer> created = post("/v1/fine_tuning/jobs", "sk-acme",
                "{\"model\": \"loraplane-tiny\", \"training_file\": \"" + fileId + "\"" + extra + "}", null);
        assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(200);
        return created.bodyAsJsonObject().getString("id");
    }

    @Test
    void aJobIsCreatedInOpenAisShapeAndOnlyItsTenantSeesIt() throws Exception {
        String id = create(", \"suffix\": \"facts\", \"seed\": 7, \"metadata\": {\"team\": \"search\"},"
                + " \"method\": {\"type\": \"supervised\", \"supervised\": {\"hyperparameters\": {\"n_epochs\": 3, \"batch_size\": \"auto\"}}},"
                + " \"lora\": {\"r\": 8, \"target_modules\": [\"q_proj\", \"v_proj\"]}, \"quantization\": \"nf4\"");
        JsonObject job = get("/v1/fine_tuning/jobs/" + id, "sk-acme").bodyAsJsonObject();
        assertThat(job.getString("object")).isEqualTo("fine_tuning.job");
        assertThat(job.getString("status")).isEqualTo("validating_files");
        assertThat(job.getString("training_file")).isEqualTo(fileId);
        assertThat(job.getLong("seed")).isEqualTo(7);
        assertThat(job.getJsonObject("hyperparameters").getValue("n_epochs")).isEqualTo(3);
        assertThat(job.getJsonObject("hyperparameters").getValue("batch_size")).isEqualTo("auto");
        assertThat(job.getJsonObject("lora").getInteger("r")).isEqualTo(8);
        assertThat(job.getJsonObject("lora").getDouble("alpha")).isEqualTo(16.0);
        assertThat(job.getJsonObject("metadata").getString("team")).isEqualTo("search");
        assertThat(job.getJsonObject("accelerator").getString("type")).isEqualTo("cpu");
        assertThat(job.containsKey("fine_tuned_model")).isTrue();
        assertThat(get("/v1/fine_tuning/jobs/" + id, "sk-globex").statusCode()).isEqualTo(404);

        JsonObject events = get("/v1/fine_tuning/jobs/" + id + "/events", "sk-acme").bodyAsJsonObject();
        assertThat(events.getJsonArray("data")).hasSize(1);
        assertThat(events.getJsonArray("data").getJsonObject(0).getString("message")).contains("Created fine-tuning job");
    }

    @Test
    void anIdempotencyKeyReturnsTheSameJobOnRetry() throws Exception {
        String body = "{\"model\": \"loraplane-tiny\", \"training_file\": \"" + fileId + "\"}";
        String first = post("/v1/fine_tuning/jobs", "sk-acme", body, "retry-1").bodyAsJsonObject().getString("id");
        String again = post("/v1/fine_tuning/jobs", "sk-acme", body, "retry-1").bodyAsJsonObject().getString("id");
        assertThat(again).isEqualTo(first);
        assertThat(get("/v1/fine_tuning/jobs", "sk-acme").bodyAsJsonObject().getJsonArray("data")).hasSize(1);
    }

    @Test
    void jobsListNewestFirstInPages() throws Exception {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(0, create(""));
            Thread.sleep(1);
        }
        List<String> seen = new ArrayList<>();
        String after = null;
        boolean more;
        do {
            JsonObject page = get("/v1/fine_tuning/jobs?limit=2" + (after == null ? "" : "&after=" + after), "sk-acme").bodyAsJsonObject();
            page.getJsonArray("data").forEach(j -> seen.add(((JsonObject) j).getString("id")));
            more = page.getBoolean("has_more");
            after = seen.get(seen.size() - 1);
        } while (more);
        assertThat(seen).containsExactlyInAnyOrderElementsOf(created).hasSize(5).doesNotHaveDuplicates();
        assertThat(get("/v1/fine_tuning/jobs", "sk-globex").bodyAsJsonObject().getJsonArray("data")).isEmpty();
    }

    @Test
    void cancellingEndsTheJobWithAnEventAndCannotBeRepeated() throws Exception {
        String id = create("");
        JsonObject cancelled = post("/v1/fine_tuning/jobs/" + id + "/cancel", "sk-acme", "", null).bodyAsJsonObject();
        assertThat(cancelled.getString("status")).isEqualTo("cancelled");
        assertThat(cancelled.getLong("finished_at")).isNotNull();
        assertThat(get("/v1/fine_tuning/jobs/" + id + "/events", "sk-acme").bodyAsJsonObject().getJsonArray("data")
                .getJsonObject(0).getString("message")).isEqualTo("Job cancelled");
        HttpResponse<Buffer> again = post("/v1/fine_tuning/jobs/" + id + "/cancel", "sk-acme", "", null);
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(post("/v1/fine_tuning/jobs/" + id + "/cancel", "sk-globex", "", null).statusCode()).isEqualTo(404);
    }

    @Test
    void aStreamOfEventsFollowsTheJobUntilItEnds() throws Exception {
        String id = create("");
        var streamed = client.get(port, "127.0.0.1", "/v1/fine_tuning/jobs/" + id + "/events?stream=true")
                .bearerTokenAuthentication("sk-acme").send();
        Thread.sleep(2 * JobsApi.STREAM_POLL_MILLIS);
        assertThat(streamed.isComplete()).as("the stream stays open while the job runs").isFalse();
        post("/v1/fine_tuning/jobs/" + id + "/cancel", "sk-acme", "", null);
        HttpResponse<Buffer> response = await(streamed);
        assertThat(response.getHeader("content-type")).isEqualTo("text/event-stream");
        String body = response.bodyAsString();
        assertThat(body.indexOf("Created fine-tuning job")).isLessThan(body.indexOf("Job cancelled"));
        assertThat(body).startsWith("data: {").endsWith("data: [DONE]\n\n");
        assertThat(get("/v1/fine_tuning/jobs/" + id + "/events?stream=true", "sk-globex").statusCode()).isEqualTo(404);
    }

    @Test
    void badRequestsNameTheFieldAndStoreNothing() throws Exception {
        String file = "\"training_file\": \"" + fileId + "\"";
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("{\"model\": \"loraplane-tiny\", " + file, null);   // malformed JSON
        cases.put("{\"model\": 42, " + file + "}", "model");
        cases.put("{\"model\": \"gpt-9\", " + file + "}", "model");
        cases.put("{\"model\": \"loraplane-tiny\"}", "training_file");
        cases.put("{\"model\": \"loraplane-tiny\", \"training_file\": \"file-missing\"}", "training_file");
        cases.put("{\"model\": \"loraplane-tiny\", " + file + ", \"method\": {\"type\": \"supervised\", \"supervised\":"
                + " {\"hyperparameters\": {\"n_epochs\": 0}}}}", "method.supervised.hyperparameters.n_epochs");
        cases.put("{\"model\": \"loraplane-tiny\", " + file + ", \"hyperparameters\": {\"n_epochs\": \"three\"}}", "hyperparameters.n_epochs");
        cases.put("{\"model\": \"loraplane-tiny\", " + file + ", \"suffix\": \"../x\"}", "suffix");
        cases.put("{\"model\": \"loraplane-tiny\", " + file + ", \"lora\": {\"target_modules\": [\"lm_head\"]}}", "lora");
        cases.put("{\"model\": \"loraplane-tiny\", " + file + ", \"quantization\": \"int3\"}", "quantization");
        cases.put("{\"model\": \"loraplane-tiny\", " + file + ", \"accelerator\": {\"type\": \"tpu\"}}", "accelerator.type");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<Buffer> refused = post("/v1/fine_tuning/jobs", "sk-acme", c.getKey(), null);
            assertThat(refused.statusCode()).as(c.getKey()).isEqualTo(400);
            JsonObject error = refused.bodyAsJsonObject().getJsonObject("error");
            assertThat(error.getString("param")).as(c.getKey()).isEqualTo(c.getValue());
            assertThat(error.getString("message")).as(c.getKey()).isNotBlank();
        }
        // Another tenant's file is as missing as a file that does not exist.
        HttpResponse<Buffer> foreign = post("/v1/fine_tuning/jobs", "sk-globex", "{\"model\": \"loraplane-tiny\", " + file + "}", null);
        assertThat(foreign.statusCode()).isEqualTo(400);
        assertThat(foreign.bodyAsJsonObject().getJsonObject("error").getString("param")).isEqualTo("training_file");
        assertThat(get("/v1/fine_tuning/jobs", "sk-acme").bodyAsJsonObject().getJsonArray("data")).isEmpty();
        assertThat(get("/v1/fine_tuning/jobs?limit=0", "sk-acme").statusCode()).isEqualTo(400);
    }
}
