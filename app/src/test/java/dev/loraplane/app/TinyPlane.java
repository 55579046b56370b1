package dev.loraplane.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.app.serve.RegistryServing;
import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import dev.loraplane.orchestrator.ControlPlane;
import dev.loraplane.orchestrator.metrics.ControlPlaneMetrics;
import dev.loraplane.serving.Serving;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.multipart.MultipartForm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The control plane on the built-in tiny base, with serving and evals, over real HTTP: what the eval
 * tests upload files to, fine-tune through and evaluate on.
 */
final class TinyPlane implements AutoCloseable {

    final Path dir;
    final Path tiny;
    final WebClient http;
    final int port;
    private final Vertx vertx;
    private final RegistryServing serving;
    private final ControlPlane plane;

    private TinyPlane(Path dir, Path tiny, Vertx vertx, RegistryServing serving, ControlPlane plane) {
        this.dir = dir;
        this.tiny = tiny;
        this.vertx = vertx;
        this.serving = serving;
        this.plane = plane;
        this.http = WebClient.create(vertx);
        this.port = plane.port();
    }

    /** Writes the tiny base under {@code dir} and starts a control plane that serves and evaluates on it. */
    static TinyPlane start(Path dir) throws Exception {
        return start(dir, 0);
    }

    /** @param seed the tiny base's random weights; 0 is the built-in base's */
    static TinyPlane start(Path dir, long seed) throws Exception {
        Path tiny = dir.resolve("models/loraplane-tiny");
        TinyModel.write(Preset.TINY, tiny, seed);
        ControlPlaneMetrics metrics = new ControlPlaneMetrics();
        Vertx vertx = Vertx.vertx();
        RegistryServing serving = new RegistryServing(tiny, "loraplane-tiny", metrics.registry(), Serving.Settings.DEFAULTS);
        ControlPlane plane = await(ControlPlane.start(vertx, UpCommand.config(UpCommandTest.laptopOnAnyPort(), dir, tiny, List::of),
                new ControlPlane.Extensions(List.of(), null, List.of(serving), metrics, serving.evals("cpu", null))));
        return new TinyPlane(dir, tiny, vertx, serving, plane);
    }

    @Override
    public void close() throws Exception {
        plane.stopWorkers();
        await(vertx.close());
        plane.close();
        serving.close();
    }

    static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    /** Uploads {@code content} as a file and returns its id. */
    String upload(String name, String purpose, String content) throws Exception {
        HttpResponse<Buffer> response = uploadResponse(name, purpose, content);
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
        return response.bodyAsJsonObject().getString("id");
    }

    HttpResponse<Buffer> uploadResponse(String name, String purpose, String content) throws Exception {
        Path file = Files.writeString(dir.resolve(name), content);
        return await(http.post(port, "127.0.0.1", "/v1/files").sendMultipartForm(MultipartForm.create()
                .attribute("purpose", purpose).textFileUpload("file", name, file.toString(), "application/jsonl")));
    }

    JsonObject get(String path) throws Exception {
        HttpResponse<Buffer> response = await(http.get(port, "127.0.0.1", path).send());
        assertThat(response.statusCode()).as(path + ": " + response.bodyAsString()).isEqualTo(200);
        return response.bodyAsJsonObject();
    }

    HttpResponse<Buffer> post(String path, JsonObject body) throws Exception {
        return await(http.post(port, "127.0.0.1", path).sendJsonObject(body));
    }

    /** The body at {@code path} as text, such as an eval's per-example results in JSONL. */
    String download(String path) throws Exception {
        HttpResponse<Buffer> response = await(http.get(port, "127.0.0.1", path).send());
        assertThat(response.statusCode()).as(path + ": " + response.bodyAsString()).isEqualTo(200);
        return response.bodyAsString();
    }

    /** The object at {@code path} once its status is one of {@code statuses}, or as it is after ten minutes. */
    JsonObject until(String path, String... statuses) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);
        JsonObject object = get(path);
        while (!List.of(statuses).contains(object.getString("status")) && System.nanoTime() < deadline) {
            Thread.sleep(300);
            object = get(path);
        }
        return object;
    }

    /** A supervised LoRA fine-tuning request on the tiny base, seeded and unquantized. */
    static JsonObject fineTuning(String trainingFile, String suffix, int epochs, double learningRateMultiplier) {
        return new JsonObject().put("model", "loraplane-tiny").put("training_file", trainingFile).put("suffix", suffix)
                .put("seed", 3).put("quantization", "none").put("method", new JsonObject().put("type", "supervised")
                        .put("supervised", new JsonObject().put("hyperparameters", new JsonObject().put("n_epochs", epochs)
                                .put("learning_rate_multiplier", learningRateMultiplier))));
    }

    /** Creates the job {@code request} asks for and returns it as created. */
    JsonObject createJob(JsonObject request) throws Exception {
        HttpResponse<Buffer> created = post("/v1/fine_tuning/jobs", request);
        assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(200);
        return created.bodyAsJsonObject();
    }

    /** The job once it has finished, which must be a success. */
    JsonObject succeeded(String jobId) throws Exception {
        JsonObject job = until("/v1/fine_tuning/jobs/" + jobId, "succeeded", "failed", "cancelled");
        assertThat(job.getString("status")).as(job.encodePrettily()).isEqualTo("succeeded");
        return job;
    }
}
