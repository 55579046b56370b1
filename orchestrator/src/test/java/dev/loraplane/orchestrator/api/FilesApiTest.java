package dev.loraplane.orchestrator.api;

import static dev.loraplane.orchestrator.api.TestApi.await;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The Files API over real HTTP, as OpenAI clients call it. */
@ExtendWith(VertxExtension.class)
class FilesApiTest {

    static final String GOOD = "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": \"hello\"}]}\n";

    @TempDir
    Path dir;

    WebClient client;
    int port;

    @BeforeEach
    void start(Vertx vertx) throws Exception {
        port = TestApi.start(vertx, dir, 64 * 1024);
        client = WebClient.create(vertx);
    }

    private HttpResponse<Buffer> upload(String key, String purpose, String filename, String content) throws Exception {
        Path file = Files.writeString(dir.resolve("upload-" + System.nanoTime()), content);
        MultipartForm form = MultipartForm.create().attribute("purpose", purpose)
                .textFileUpload("file", filename, file.toString(), "application/jsonl");
        return await(client.post(port, "127.0.0.1", "/v1/files").bearerTokenAuthentication(key).sendMultipartForm(form));
    }

    private HttpResponse<Buffer> send(HttpRequest<Buffer> request, String key) throws Exception {
        return await(request.bearerTokenAuthentication(key).send());
    }

    private static JsonObject error(HttpResponse<Buffer> response) {
        return response.bodyAsJsonObject().getJsonObject("error");
    }

    private long storedBlobs() throws Exception {
        Path artifacts = dir.resolve("artifacts");
        if (!Files.exists(artifacts)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(artifacts)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void anUploadIsStoredByHashAndReadBackByItsTenantOnly() throws Exception {
        String content = GOOD.repeat(12);
        HttpResponse<Buffer> created = upload("sk-acme", "fine-tune", "train.jsonl", content);
        assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(200);
        JsonObject file = created.bodyAsJsonObject();
        String id = file.getString("id");
        assertThat(id).startsWith("file-");
        assertThat(file.getString("object")).isEqualTo("file");
        assertThat(file.getLong("bytes")).isEqualTo(content.length());
        assertThat(file.getString("filename")).isEqualTo("train.jsonl");
        assertThat(file.getString("purpose")).isEqualTo("fine-tune");
        assertThat(storedBlobs()).isEqualTo(1);

        assertThat(send(client.get(port, "127.0.0.1", "/v1/files"), "sk-acme").bodyAsJsonObject().getJsonArray("data")).hasSize(1);
        assertThat(send(client.get(port, "127.0.0.1", "/v1/files/" + id + "/content"), "sk-acme").bodyAsString()).isEqualTo(content);

        HttpResponse<Buffer> foreign = send(client.get(port, "127.0.0.1", "/v1/files/" + id), "sk-globex");
        assertThat(foreign.statusCode()).isEqualTo(404);
        assertThat(error(foreign).getString("code")).isEqualTo("file_not_found");
        assertThat(error(foreign).getString("param")).isEqualTo("id");
        assertThat(send(client.get(port, "127.0.0.1", "/v1/files"), "sk-globex").bodyAsJsonObject().getJsonArray("data")).isEmpty();

        // The same bytes uploaded again are stored once.
        assertThat(upload("sk-acme", "fine-tune", "again.jsonl", content).statusCode()).isEqualTo(200);
        assertThat(storedBlobs()).isEqualTo(1);

        HttpResponse<Buffer> deleted = send(client.delete(port, "127.0.0.1", "/v1/files/" + id), "sk-acme");
        assertThat(deleted.bodyAsJsonObject().getBoolean("deleted")).isTrue();
        assertThat(send(client.get(port, "127.0.0.1", "/v1/files/" + id), "sk-acme").statusCode()).isEqualTo(404);
    }

    @Test
    void aBadFileIsRefusedWithItsLinesAndNothingIsStored() throws Exception {
        String bad = GOOD.repeat(11) + "{\"messages\": [{\"role\": \"assitant\", \"content\": \"x\"}]}\n" + "not json\n";
        HttpResponse<Buffer> refused = upload("sk-acme", "fine-tune", "train.jsonl", bad);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(error(refused).getString("param")).isEqualTo("file");
        assertThat(error(refused).getString("code")).isEqualTo("invalid_file");
        assertThat(error(refused).getString("message")).contains("line 12", "assitant", "line 13");
        assertThat(storedBlobs()).isZero();
        assertThat(send(client.get(port, "127.0.0.1", "/v1/files"), "sk-acme").bodyAsJsonObject().getJsonArray("data")).isEmpty();
        assertThat(Files.list(dir.resolve("uploads")).count()).as("no upload left behind").isZero();
    }

    @Test
    void badRequestsNameTheField() throws Exception {
        HttpResponse<Buffer> purpose = upload("sk-acme", "assistants", "train.jsonl", GOOD.repeat(12));
        assertThat(purpose.statusCode()).isEqualTo(400);
        assertThat(error(purpose).getString("param")).isEqualTo("purpose");

        HttpResponse<Buffer> name = upload("sk-acme", "fine-tune", "../etc/passwd", GOOD.repeat(12));
        assertThat(name.statusCode()).isEqualTo(400);
        assertThat(error(name).getString("code")).isEqualTo("invalid_filename");

        HttpResponse<Buffer> tooLarge = upload("sk-acme", "fine-tune", "big.jsonl", GOOD.repeat(2000));
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(error(tooLarge).getString("code")).isEqualTo("request_too_large");

        HttpResponse<Buffer> noKey = await(client.get(port, "127.0.0.1", "/v1/files").send());
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(error(noKey).getString("code")).isEqualTo("invalid_api_key");

        HttpResponse<Buffer> nowhere = send(client.get(port, "127.0.0.1", "/v1/nowhere"), "sk-acme");
        assertThat(nowhere.statusCode()).isEqualTo(404);
        assertThat(nowhere.bodyAsString()).doesNotContain("Exception").contains("\"error\"");
        assertThat(storedBlobs()).isZero();
    }

    @Test
    void withoutKeysTheApiOnlyListensOnLoopback() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ApiConfig("0.0.0.0", 0, dir, 1, Map.of(), Map.of()))
                .hasMessageContaining("may only listen on 127.0.0.1");
    }
}
