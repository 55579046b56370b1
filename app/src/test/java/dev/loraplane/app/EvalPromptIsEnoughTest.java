package dev.loraplane.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.app.serve.RegistryServing;
import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.lora.LoraConfig;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import dev.loraplane.orchestrator.ControlPlane;
import dev.loraplane.orchestrator.metrics.ControlPlaneMetrics;
import dev.loraplane.serving.Serving;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.multipart.MultipartForm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evals through the API where no training is needed: a task the base model already does (its own
 * few-shot answers are the references) keeps the prompt against an adapter; bad input is a 400
 * naming the field.
 */
class EvalPromptIsEnoughTest {

    static final String[] PLACES = {"Quatam", "Gliew", "Melsin", "Borank", "Thizu", "Pikdro", "Norka", "Lexbo", "Ranmel", "Zuthi"};
    static final String[] SHOT_PLACES = {"Vemra", "Oltik", "Sarup", "Dwenna"};
    static final String[] SHOT_CAPITALS = {"Tolvi.", "Kessa.", "Umbro.", "Linde."};

    @TempDir
    Path dir;

    Vertx vertx = Vertx.vertx();
    RegistryServing serving;
    ControlPlane plane;
    WebClient http;
    int port;
    Path tiny;

    @BeforeEach
    void start() throws Exception {
        tiny = dir.resolve("models/loraplane-tiny");
        TinyModel.write(Preset.TINY, tiny, 0);
        ControlPlaneMetrics metrics = new ControlPlaneMetrics();
        serving = new RegistryServing(tiny, "loraplane-tiny", metrics.registry(), Serving.Settings.DEFAULTS);
        plane = await(ControlPlane.start(vertx, UpCommand.config(UpCommandTest.laptopOnAnyPort(), dir, tiny, List::of),
                new ControlPlane.Extensions(List.of(), null, List.of(serving), metrics, serving.evals("cpu", null))));
        http = WebClient.create(vertx);
        port = plane.port();
    }

    @AfterEach
    void close() throws Exception {
        await(vertx.close());
        plane.close();
        serving.close();
    }

    static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

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

    static String jsonl(String[] questions, String[] answers) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < questions.length; i++) {
            out.append(new JsonObject().put("messages", new JsonArray()
                    .add(new JsonObject().put("role", "user").put("content", questions[i]))
                    .add(new JsonObject().put("role", "assistant").put("content", answers[i]))).encode()).append('\n');
        }
        return out.toString();
    }

    static String[] questions(String[] places) {
        String[] out = new String[places.length];
        for (int i = 0; i < places.length; i++) {
            out[i] = "What is the capital of " + places[i] + "?";
        }
        return out;
    }

    JsonObject run(JsonObject body) throws Exception {
        HttpResponse<Buffer> created = await(http.post(port, "127.0.0.1", "/v1/evals").sendJsonObject(body));
        assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(200);
        String id = created.bodyAsJsonObject().getString("id");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        JsonObject eval = created.bodyAsJsonObject();
        while (!List.of("succeeded", "failed").contains(eval.getString("status")) && System.nanoTime() < deadline) {
            Thread.sleep(300);
            eval = await(http.get(port, "127.0.0.1", "/v1/evals/" + id).send()).bodyAsJsonObject();
        }
        assertThat(eval.getString("status")).as(eval.encodePrettily()).isEqualTo("succeeded");
        return eval;
    }

    static JsonObject fewShot(String model, String shots) {
        return new JsonObject().put("name", "few-shot").put("model", model).put("prompt", new JsonObject()
                .put("system", "Answer with the capital only.").put("few_shot_file", shots).put("few_shot_count", 3));
    }

    /** An adapter that changes the base model's answers: its B factors are not zero. */
    String importAdapter() throws Exception {
        Path out = dir.resolve("adapter");
        try (Llama model = Llama.load(tiny); LoraAdapter lora = LoraAdapter.initialize("other",
                new LoraConfig(8, 16, 0, List.of("q_proj", "v_proj"), false, "loraplane-tiny"), model, 1)) {
            lora.modules().values().forEach(m -> m.b().addi(0.5f));
            lora.save(out);
        }
        HttpResponse<Buffer> imported = await(http.post(port, "127.0.0.1", "/v1/adapters").sendMultipartForm(MultipartForm.create()
                .attribute("name", "other-task").attribute("base_model", "loraplane-tiny")
                .binaryFileUpload("adapter_config", "adapter_config.json", out.resolve("adapter_config.json").toString(),
                        "application/json")
                .binaryFileUpload("adapter_model", LoraAdapter.WEIGHTS_FILE, out.resolve(LoraAdapter.WEIGHTS_FILE).toString(),
                        "application/octet-stream")));
        assertThat(imported.statusCode()).as(imported.bodyAsString()).isEqualTo(200);
        return "other-task";
    }

    @Test
    void onATaskTheBaseAlreadyDoesTheVerdictKeepsThePrompt() throws Exception {
        String shots = upload("shots.jsonl", "evals", jsonl(questions(SHOT_PLACES), SHOT_CAPITALS));
        String adapter = importAdapter();
        String[] questions = questions(PLACES);
        String[] placeholders = new String[PLACES.length];
        java.util.Arrays.fill(placeholders, "unknown");
        // First what the base model answers with the few-shot prompt: that is the task it already does.
        String probe = upload("probe.jsonl", "evals", jsonl(questions, placeholders));
        JsonObject first = run(new JsonObject().put("dataset", probe).put("seed", 5).put("max_tokens", 8).put("variants",
                new JsonArray().add(fewShot("loraplane-tiny", shots)).add(new JsonObject().put("name", "zero-shot")
                        .put("model", "loraplane-tiny"))));
        String[] answers = new String[PLACES.length];
        for (String line : await(http.get(port, "127.0.0.1", "/v1/evals/" + first.getString("id") + "/results").send())
                .bodyAsString().lines().toList()) {
            JsonObject r = new JsonObject(line);
            if (r.getString("variant").equals("few-shot")) {
                answers[r.getInteger("example")] = r.getString("output");
            }
        }
        // The random base model's answers are bytes that need not be UTF-8 (they decode with U+FFFD); they are
        // what it says all the same, and it says them again: greedy decoding is deterministic.
        assertThat(answers).as("the base model answers every question").doesNotContainNull().allSatisfy(a -> assertThat(a).isNotBlank());

        String task = upload("task.jsonl", "evals", jsonl(questions, answers));
        JsonObject eval = run(new JsonObject().put("dataset", task).put("seed", 5).put("max_tokens", 8).put("variants",
                new JsonArray().add(fewShot("loraplane-tiny", shots)).add(new JsonObject().put("name", "adapter").put("model", adapter))));
        JsonObject report = eval.getJsonObject("report");
        JsonObject prompt = report.getJsonArray("variants").getJsonObject(0);
        assertThat(prompt.getJsonObject("quality").getJsonObject("normalized_match").getDouble("value"))
                .as("the base model does this task").isGreaterThanOrEqualTo(0.9);
        assertThat(report.getJsonObject("verdict").getString("decision")).isEqualTo("prompt_is_enough");
        assertThat(report.getJsonObject("verdict").getString("text")).contains("the prompt is enough");
        assertThat(report.getJsonObject("comparison").getJsonObject("break_even").getValue("training_cost_usd"))
                .as("an imported adapter's training cost is unknown").isNull();
    }

    @Test
    void badInputIsRefusedNamingTheField() throws Exception {
        String shots = upload("shots.jsonl", "evals", jsonl(questions(SHOT_PLACES), SHOT_CAPITALS));
        String dataset = upload("held-out.jsonl", "evals", jsonl(questions(SHOT_PLACES), SHOT_CAPITALS));
        JsonObject base = new JsonObject().put("name", "base").put("model", "loraplane-tiny");

        JsonObject unknown = refused(new JsonObject().put("dataset", dataset).put("variants", new JsonArray().add(base)
                .add(new JsonObject().put("name", "tuned").put("model", "ft:loraplane-tiny:nobody:x"))));
        assertThat(unknown.getString("param")).isEqualTo("variants[1].model");
        assertThat(unknown.getString("message")).contains("ft:loraplane-tiny:nobody:x");

        JsonObject missingShots = refused(new JsonObject().put("dataset", dataset).put("variants", new JsonArray().add(base)
                .add(fewShot("loraplane-tiny", "file-doesnotexist"))));
        assertThat(missingShots.getString("param")).isEqualTo("variants[1].prompt.few_shot_file");
        assertThat(missingShots.getString("message")).contains("file-doesnotexist");

        HttpResponse<Buffer> emptyUpload = uploadResponse("empty.jsonl", "evals", "");
        assertThat(emptyUpload.statusCode()).isEqualTo(400);
        assertThat(emptyUpload.bodyAsJsonObject().getJsonObject("error").getString("param")).isEqualTo("file");
        assertThat(emptyUpload.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("no examples");
        String noAnswers = upload("text.jsonl", "evals", "{\"text\": \"Once upon a time\"}\n");
        JsonObject empty = refused(new JsonObject().put("dataset", noAnswers).put("variants", new JsonArray().add(base)
                .add(fewShot("loraplane-tiny", shots))));
        assertThat(empty.getString("param")).isEqualTo("dataset");
        assertThat(empty.getString("message")).contains("line 1", "no reference");
        JsonObject noDataset = refused(new JsonObject().put("dataset", "file-gone").put("variants", new JsonArray().add(base)
                .add(fewShot("loraplane-tiny", shots))));
        assertThat(noDataset.getString("param")).isEqualTo("dataset");

        JsonObject one = refused(new JsonObject().put("dataset", dataset).put("variants", new JsonArray().add(base)));
        assertThat(one.getString("param")).isEqualTo("variants");
        JsonObject template = refused(new JsonObject().put("dataset", dataset).put("variants", new JsonArray().add(base)
                .add(new JsonObject().put("model", "loraplane-tiny").put("prompt", new JsonObject().put("template", "no slot")))));
        assertThat(template.getString("param")).isEqualTo("variants[1].prompt.template");
        JsonObject regex = refused(new JsonObject().put("dataset", dataset).put("checks", new JsonObject().put("regex", "(["))
                .put("variants", new JsonArray().add(base).add(fewShot("loraplane-tiny", shots))));
        assertThat(regex.getString("param")).isEqualTo("checks.regex");
        JsonObject tooLong = refused(new JsonObject().put("dataset", dataset).put("max_tokens", 4000)
                .put("variants", new JsonArray().add(base).add(fewShot("loraplane-tiny", shots))));
        assertThat(tooLong.getString("param")).isEqualTo("max_tokens");

        String training = upload("train.jsonl", "fine-tune", jsonl(questions(PLACES), PLACES));
        JsonObject job = new JsonObject().put("model", "loraplane-tiny").put("training_file", training)
                .put("baseline", new JsonObject().put("few_shot_file", shots));
        HttpResponse<Buffer> noValidation = await(http.post(port, "127.0.0.1", "/v1/fine_tuning/jobs").sendJsonObject(job));
        assertThat(noValidation.statusCode()).isEqualTo(400);
        assertThat(noValidation.bodyAsJsonObject().getJsonObject("error").getString("param")).isEqualTo("validation_file");
        HttpResponse<Buffer> jobShots = await(http.post(port, "127.0.0.1", "/v1/fine_tuning/jobs").sendJsonObject(job.copy()
                .put("validation_file", dataset).put("baseline", new JsonObject().put("few_shot_file", "file-missing"))));
        assertThat(jobShots.statusCode()).isEqualTo(400);
        assertThat(jobShots.bodyAsJsonObject().getJsonObject("error").getString("param")).isEqualTo("baseline.few_shot_file");
        assertThat(await(http.get(port, "127.0.0.1", "/v1/fine_tuning/jobs").send()).bodyAsJsonObject().getJsonArray("data"))
                .as("no job was created by a refused request").isEmpty();
        assertThat(await(http.get(port, "127.0.0.1", "/v1/evals").send()).bodyAsJsonObject().getJsonArray("data")).isEmpty();
    }

    @Test
    void theCommandLineUploadsTheFilesRunsTheEvalAndPrintsTheTable() throws Exception {
        Path shots = Files.writeString(dir.resolve("shots.jsonl"), jsonl(questions(SHOT_PLACES), SHOT_CAPITALS));
        Path dataset = Files.writeString(dir.resolve("held-out.jsonl"), jsonl(questions(PLACES), PLACES));
        Cli cli = new Cli();
        String server = "http://127.0.0.1:" + port + "/v1";
        int code = cli.run("eval", "run", "--server", server, "--dataset", dataset.toString(), "--max-tokens", "4", "--seed", "9",
                "--variant", "zero-shot=loraplane-tiny", "--variant", "few-shot=loraplane-tiny", "--few-shot", "few-shot=" + shots,
                "--shots", "few-shot=2", "--system", "few-shot=Answer with the capital only.");
        assertThat(code).as(cli.out + "\n" + cli.err).isZero();
        String out = cli.out.toString();
        String id = out.lines().findFirst().orElseThrow().substring("eval ".length());
        JsonObject report = await(http.get(port, "127.0.0.1", "/v1/evals/" + id + "/report").send()).bodyAsJsonObject();
        assertThat(out).contains("variant", "normalized match *", "zero-shot", "few-shot", "USD/1M queries",
                report.getJsonObject("verdict").getString("text"));
        assertThat(report.getJsonArray("variants").getJsonObject(1).getDouble("prompt_tokens"))
                .as("two shots and a system prompt make the prompt longer")
                .isGreaterThan(report.getJsonArray("variants").getJsonObject(0).getDouble("prompt_tokens"));
        assertThat(cli.run("eval", "show", "--server", server, id)).isZero();
        assertThat(cli.out.toString()).contains(report.getJsonObject("verdict").getString("text"));
        Path page = dir.resolve("page.html");
        assertThat(cli.run("eval", "html", "--server", server, id, "-o", page.toString())).isZero();
        assertThat(Files.readString(page)).startsWith("<!DOCTYPE html>").contains("id=\"verdict\"");
        assertThat(cli.run("eval", "results", "--server", server, id)).isZero();
        assertThat(cli.out.toString().lines()).hasSize(2 * PLACES.length);
        assertThat(cli.run("eval", "list", "--server", server)).isZero();
        assertThat(cli.out.toString()).contains(id, "succeeded");
    }

    private JsonObject refused(JsonObject body) throws Exception {
        HttpResponse<Buffer> response = await(http.post(port, "127.0.0.1", "/v1/evals").sendJsonObject(body));
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(400);
        return response.bodyAsJsonObject().getJsonObject("error");
    }
}
