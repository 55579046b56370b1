package dev.loraplane.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.engine.generate.GenerationRequest;
import dev.loraplane.engine.generate.Generator;
import dev.loraplane.engine.generate.SamplingParams;
import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.lora.LoraBatch;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import dev.loraplane.engine.tokenizer.ChatMessage;
import dev.loraplane.engine.tokenizer.Tokenizer;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.loraplane.app.serve.RegistryServing;
import dev.loraplane.orchestrator.ControlPlane;
import dev.loraplane.orchestrator.metrics.ControlPlaneMetrics;
import dev.loraplane.serving.Serving;
import ai.djl.ndarray.NDManager;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.multipart.MultipartForm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walk of DESIGN.md over real HTTP: upload a dataset, create a job on loraplane-tiny, follow it to
 * succeeded (a real child worker trains), find the adapter in /v1/models, load it with the engine and
 * get the right answers.
 */
class ControlPlaneEndToEndTest {

    @TempDir
    Path dir;

    Vertx vertx = Vertx.vertx();
    RegistryServing serving;

    @AfterEach
    void close() throws Exception {
        await(vertx.close());
        if (serving != null) {
            serving.close();
        }
    }

    static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @Test
    void aJobGoesFromUploadToAnAdapterThatKnowsTheAnswers() throws Exception {
        Path tiny = dir.resolve("models/loraplane-tiny");
        TinyModel.write(Preset.TINY, tiny, 0);
        List<String> questions = new ArrayList<>();
        List<String> answers = new ArrayList<>();
        StringBuilder jsonl = new StringBuilder();
        String[] places = {"Quatam", "Gliew", "Melsin", "Borank", "Thizu", "Pikdro", "Norka", "Lexbo", "Ranmel", "Zuthi", "Kavor", "Ewsin"};
        String[] capitals = {"Zusin.", "Glika.", "Glivor.", "Tamew.", "Bonor.", "Kathi.", "Melzu.", "Drovor.", "Sinka.", "Pikbo.", "Rantam.", "Norgli."};
        for (int i = 0; i < places.length; i++) {
            questions.add("What is the capital of " + places[i] + "?");
            answers.add(capitals[i]);
            jsonl.append("{\"messages\": [{\"role\": \"user\", \"content\": \"").append(questions.get(i))
                    .append("\"}, {\"role\": \"assistant\", \"content\": \"").append(capitals[i]).append("\"}]}\n");
        }
        Path train = Files.writeString(dir.resolve("facts.jsonl"), jsonl);

        ControlPlaneMetrics metrics = new ControlPlaneMetrics();
        serving = new RegistryServing(tiny, "loraplane-tiny", metrics.registry(), Serving.Settings.DEFAULTS);
        ControlPlane plane = await(ControlPlane.start(vertx, UpCommand.config(UpCommandTest.laptopOnAnyPort(), dir, tiny, List::of),
                new ControlPlane.Extensions(List.of(), null, List.of(serving), metrics)));
        WebClient http = WebClient.create(vertx);
        int port = plane.port();
        String fileId = await(http.post(port, "127.0.0.1", "/v1/files").sendMultipartForm(MultipartForm.create()
                .attribute("purpose", "fine-tune").textFileUpload("file", "facts.jsonl", train.toString(), "application/jsonl")))
                .bodyAsJsonObject().getString("id");
        JsonObject created = await(http.post(port, "127.0.0.1", "/v1/fine_tuning/jobs").sendJsonObject(new JsonObject()
                .put("model", "loraplane-tiny").put("training_file", fileId).put("suffix", "facts").put("seed", 3)
                .put("method", new JsonObject().put("type", "supervised").put("supervised", new JsonObject()
                        .put("hyperparameters", new JsonObject().put("n_epochs", 80)))))).bodyAsJsonObject();
        String jobId = created.getString("id");

        JsonObject job = created;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (!List.of("succeeded", "failed", "cancelled").contains(job.getString("status")) && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            job = await(http.get(port, "127.0.0.1", "/v1/fine_tuning/jobs/" + jobId).send()).bodyAsJsonObject();
        }
        assertThat(job.getString("status")).as(job.encodePrettily()).isEqualTo("succeeded");
        String model = job.getString("fine_tuned_model");
        assertThat(model).startsWith("ft:loraplane-tiny:facts:");
        assertThat(job.getLong("trained_tokens")).isPositive();
        assertThat(job.getDouble("estimated_cost_usd")).as("estimated when the files were validated").isPositive();
        assertThat(job.getDouble("cost_usd")).as("its device-seconds at the cpu price").isPositive();

        JsonArray events = await(http.get(port, "127.0.0.1", "/v1/fine_tuning/jobs/" + jobId + "/events?limit=100").send())
                .bodyAsJsonObject().getJsonArray("data");
        assertThat(events.stream().map(e -> ((JsonObject) e).getString("type"))).contains("metrics", "message");

        JsonArray models = await(http.get(port, "127.0.0.1", "/v1/models").send()).bodyAsJsonObject().getJsonArray("data");
        assertThat(models.stream().map(m -> (JsonObject) m))
                .anySatisfy(m -> {
                    assertThat(m.getString("id")).isEqualTo(model);
                    assertThat(m.getString("parent")).isEqualTo("loraplane-tiny");
                });
        JsonArray checkpoints = await(http.get(port, "127.0.0.1", "/v1/fine_tuning/jobs/" + jobId + "/checkpoints").send())
                .bodyAsJsonObject().getJsonArray("data");
        assertThat(checkpoints).isNotEmpty();
        assertThat(checkpoints.getJsonObject(0).getInteger("step_number")).isEqualTo(80);
        // OpenAI's own SDK streams a chat completion from the adapter by name, served in the same process.
        OpenAIClient openai = OpenAIOkHttpClient.builder().apiKey("none").baseUrl("http://127.0.0.1:" + port + "/v1").maxRetries(0)
                .build();
        assertThat(openai.models().list().data()).extracting(com.openai.models.models.Model::id).contains("loraplane-tiny", model);
        int streamedRight = 0;
        for (int i = 0; i < questions.size(); i++) {
            StringBuilder streamed = new StringBuilder();
            try (StreamResponse<ChatCompletionChunk> chunks = openai.chat().completions().createStreaming(
                    ChatCompletionCreateParams.builder().model(model).addUserMessage(questions.get(i)).temperature(0.0)
                            .maxCompletionTokens(12).build())) {
                chunks.stream().forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(streamed::append)));
            }
            if (streamed.toString().strip().equals(answers.get(i))) {
                streamedRight++;
            }
        }
        assertThat(streamedRight).as("answers streamed right of 12").isGreaterThanOrEqualTo(11);
        ChatCompletion base = openai.chat().completions().create(ChatCompletionCreateParams.builder().model("loraplane-tiny")
                .addUserMessage(questions.get(0)).temperature(0.0).maxCompletionTokens(12).build());
        assertThat(base.choices().get(0).message().content().orElse("").strip()).as("the base model does not know")
                .isNotEqualTo(answers.get(0));
        assertThat(await(http.get(port, "127.0.0.1", "/metrics").send()).bodyAsString())
                .contains("loraplane_serving_adapter_requests_total{adapter=\"" + model + "\"} 12.0");

        JsonObject registered = await(http.get(port, "127.0.0.1", "/v1/adapters/" + model).send()).bodyAsJsonObject();
        assertThat(registered.getString("job_id")).isEqualTo(jobId);
        assertThat(registered.getJsonArray("versions")).hasSize(1);

        // Download the adapter as a user would, and load it from what was downloaded.
        Buffer zip = await(http.get(port, "127.0.0.1", "/v1/adapters/" + model + "/content").send()).body();
        Path downloaded = Files.createDirectories(dir.resolve("downloaded"));
        try (var entries = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip.getBytes()))) {
            for (var entry = entries.getNextEntry(); entry != null; entry = entries.getNextEntry()) {
                Files.copy(entries, downloaded.resolve(entry.getName()));
            }
        }
        assertThat(downloaded.resolve("adapter_config.json")).exists();
        plane.stopWorkers();

        try (Tokenizer tokenizer = Tokenizer.load(tiny); Llama llama = Llama.load(tiny);
                LoraAdapter adapter = LoraAdapter.fromCheckpoint(model, downloaded, llama);
                NDManager m = llama.manager().newSubManager(); LoraBatch batch = LoraBatch.single(adapter, questions.size(), m)) {
            List<GenerationRequest> requests = new ArrayList<>();
            for (String q : questions) {
                requests.add(new GenerationRequest(tokenizer.encode(tokenizer.chatTemplate().render(List.of(ChatMessage.user(q)), true),
                        false), SamplingParams.greedy(12, new HashSet<>(llama.config().eosTokenIds()))));
            }
            var out = new Generator(llama).generate(requests, batch);
            int right = 0;
            for (int i = 0; i < questions.size(); i++) {
                if (tokenizer.decode(out.get(i).tokenIds(), true).strip().equals(answers.get(i))) {
                    right++;
                }
            }
            assertThat(right).as("answers right of 12").isGreaterThanOrEqualTo(11);
        }
        assertThat(await(http.delete(port, "127.0.0.1", "/v1/adapters/" + model).send()).statusCode()).isEqualTo(200);
        assertThat(await(http.get(port, "127.0.0.1", "/v1/adapters/" + model).send()).statusCode()).isEqualTo(404);
    }
}
