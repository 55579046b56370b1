package dev.loraplane.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.lora.LoraConfig;
import dev.loraplane.engine.model.Llama;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.multipart.MultipartForm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evals through the API on a task the base model already does: its own few-shot answers are the
 * task, an adapter fine-tuned on them through a job does no better on held-out questions, and the
 * verdict keeps the prompt; bad input is a 400 naming the field; the command line prints the table.
 */
class EvalPromptIsEnoughTest {

    /** Held out: the questions the eval asks. */
    static final String[] PLACES = {"Quatam", "Gliew", "Melsin", "Borank", "Thizu", "Pikdro", "Norka", "Lexbo", "Ranmel", "Zuthi"};
    /** The questions the adapter is trained on. */
    static final String[] TRAINING_PLACES = {"Abrel", "Cwindo", "Festa", "Hollum", "Jurra", "Kipsa", "Marlo", "Peshta", "Tavrin",
        "Wolme"};
    static final String[] SHOT_PLACES = {"Vemra", "Oltik", "Sarup", "Dwenna"};
    static final String[] SHOT_CAPITALS = {"Tolvi.", "Kessa.", "Umbro.", "Linde."};

    /**
     * Tiny bases are random: the built-in one (seed 0) answers these questions with bytes that are not
     * UTF-8 on their own and read back as U+FFFD, a task no model can write back as text. The base of
     * seed 1 answers each question with two control characters and a letter, L or H, that depends on
     * the question.
     */
    static final long TEXT_BASE_SEED = 1;
    static final int ANSWER_TOKENS = 3;

    @TempDir
    Path dir;

    TinyPlane plane;

    @BeforeEach
    void start() throws Exception {
        plane = TinyPlane.start(dir);
    }

    @AfterEach
    void close() throws Exception {
        plane.close();
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

    /** Runs the eval {@code body} asks for to success. */
    JsonObject run(JsonObject body) throws Exception {
        HttpResponse<Buffer> created = plane.post("/v1/evals", body);
        assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(200);
        JsonObject eval = plane.until("/v1/evals/" + created.bodyAsJsonObject().getString("id"), "succeeded", "failed");
        assertThat(eval.getString("status")).as(eval.encodePrettily()).isEqualTo("succeeded");
        return eval;
    }

    static JsonObject fewShot(String model, String shots) {
        return new JsonObject().put("name", "few-shot").put("model", model).put("prompt", new JsonObject()
                .put("system", "Answer with the capital only.").put("few_shot_file", shots).put("few_shot_count", 3));
    }

    /** What the base model answers to each question with the few-shot prompt: the task it already does. */
    String[] baseAnswers(String shots, String[] questions) throws Exception {
        String[] placeholders = new String[questions.length];
        Arrays.fill(placeholders, "unknown");
        String probe = plane.upload("probe.jsonl", "evals", jsonl(questions, placeholders));
        JsonObject eval = run(new JsonObject().put("dataset", probe).put("seed", 5).put("max_tokens", ANSWER_TOKENS).put("variants",
                new JsonArray().add(fewShot("loraplane-tiny", shots)).add(new JsonObject().put("name", "zero-shot")
                        .put("model", "loraplane-tiny"))));
        String[] answers = new String[questions.length];
        plane.download("/v1/evals/" + eval.getString("id") + "/results").lines().map(JsonObject::new)
                .filter(r -> r.getString("variant").equals("few-shot"))
                .forEach(r -> answers[r.getInteger("example")] = r.getString("output"));
        // What the base model says, and says again: greedy decoding is deterministic.
        assertThat(answers).as("the base model answers every question").doesNotContainNull().allSatisfy(a -> assertThat(a).isNotBlank());
        return answers;
    }

    /** An adapter for another task, imported rather than trained here: its B factors are not zero. */
    String importAdapter() throws Exception {
        Path out = dir.resolve("adapter");
        try (Llama model = Llama.load(plane.tiny); LoraAdapter lora = LoraAdapter.initialize("other",
                new LoraConfig(8, 16, 0, List.of("q_proj", "v_proj"), false, "loraplane-tiny"), model, 1)) {
            lora.modules().values().forEach(m -> m.b().addi(0.5f));
            lora.save(out);
        }
        HttpResponse<Buffer> imported = TinyPlane.await(plane.http.post(plane.port, "127.0.0.1", "/v1/adapters")
                .sendMultipartForm(MultipartForm.create().attribute("name", "other-task").attribute("base_model", "loraplane-tiny")
                .binaryFileUpload("adapter_config", "adapter_config.json", out.resolve("adapter_config.json").toString(),
                        "application/json")
                .binaryFileUpload("adapter_model", LoraAdapter.WEIGHTS_FILE, out.resolve(LoraAdapter.WEIGHTS_FILE).toString(),
                        "application/octet-stream")));
        assertThat(imported.statusCode()).as(imported.bodyAsString()).isEqualTo(200);
        return "other-task";
    }

    @Test
    void onATaskTheBaseAlreadyDoesAnAdapterTrainedOnItLeavesThePromptEnough() throws Exception {
        plane.close();
        plane = TinyPlane.start(dir.resolve("text-base"), TEXT_BASE_SEED);
        String shots = plane.upload("shots.jsonl", "evals", jsonl(questions(SHOT_PLACES), SHOT_CAPITALS));
        String[] trainingQuestions = questions(TRAINING_PLACES);
        String[] questions = questions(PLACES);
        String[] answers = baseAnswers(shots, concat(trainingQuestions, questions));
        String training = plane.upload("task-training.jsonl", "fine-tune",
                jsonl(trainingQuestions, Arrays.copyOfRange(answers, 0, trainingQuestions.length)));
        String task = plane.upload("task.jsonl", "evals", jsonl(questions, Arrays.copyOfRange(answers, trainingQuestions.length,
                answers.length)));
        JsonObject job = plane.succeeded(plane.createJob(TinyPlane.fineTuning(training, "capitals", 10, 2)).getString("id"));
        String other = importAdapter();

        JsonObject eval = run(new JsonObject().put("dataset", task).put("seed", 5).put("max_tokens", ANSWER_TOKENS).put("variants",
                new JsonArray().add(fewShot("loraplane-tiny", shots))
                        .add(new JsonObject().put("name", "fine-tuned").put("model", job.getString("fine_tuned_model")))
                        .add(new JsonObject().put("name", "other-task").put("model", other))));
        JsonObject report = eval.getJsonObject("report");
        JsonObject prompt = report.getJsonArray("variants").getJsonObject(0);
        JsonObject adapter = report.getJsonArray("variants").getJsonObject(1);
        assertThat(prompt.getJsonObject("quality").getJsonObject("normalized_match").getDouble("value"))
                .as("the base model does this task").isGreaterThanOrEqualTo(0.9);
        JsonObject comparison = report.getJsonObject("comparison");
        assertThat(comparison.getString("adapter_variant")).as("the prompt is set against the adapter trained on the task")
                .isEqualTo("fine-tuned");
        assertThat(adapter.getDouble("training_cost_usd")).as("the job's billed cost").isEqualTo(job.getDouble("cost_usd"));
        assertThat(report.getJsonArray("variants").getJsonObject(2).getValue("training_cost_usd"))
                .as("an imported adapter's training cost is unknown").isNull();
        assertThat(Arrays.stream(answers, trainingQuestions.length, answers.length).distinct().count())
                .as("the base's answers depend on the question").isGreaterThan(1);
        // The adapter learned the answers' form (its loss on them is far lower than the prompted base's) but
        // not the base's choice of letter for questions it never saw: fine-tuning adds nothing here.
        assertThat(adapter.getDouble("mean_loss")).as("the adapter was trained on this task").isLessThan(prompt.getDouble("mean_loss") / 4);
        assertThat(report.getJsonObject("verdict").getString("decision")).as(report.encodePrettily()).isEqualTo("prompt_is_enough");
        assertThat(report.getJsonObject("verdict").getString("text")).contains("the prompt is enough");
        ReportByHand.check(report, plane.download("/v1/evals/" + eval.getString("id") + "/results"));
    }

    private static String[] concat(String[] first, String[] second) {
        String[] out = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, out, first.length, second.length);
        return out;
    }

    @Test
    void badInputIsRefusedNamingTheField() throws Exception {
        String shots = plane.upload("shots.jsonl", "evals", jsonl(questions(SHOT_PLACES), SHOT_CAPITALS));
        String dataset = plane.upload("held-out.jsonl", "evals", jsonl(questions(SHOT_PLACES), SHOT_CAPITALS));
        JsonObject base = new JsonObject().put("name", "base").put("model", "loraplane-tiny");

        JsonObject unknown = refused(new JsonObject().put("dataset", dataset).put("variants", new JsonArray().add(base)
                .add(new JsonObject().put("name", "tuned").put("model", "ft:loraplane-tiny:nobody:x"))));
        assertThat(unknown.getString("param")).isEqualTo("variants[1].model");
        assertThat(unknown.getString("message")).contains("ft:loraplane-tiny:nobody:x");

        JsonObject missingShots = refused(new JsonObject().put("dataset", dataset).put("variants", new JsonArray().add(base)
                .add(fewShot("loraplane-tiny", "file-doesnotexist"))));
        assertThat(missingShots.getString("param")).isEqualTo("variants[1].prompt.few_shot_file");
        assertThat(missingShots.getString("message")).contains("file-doesnotexist");

        HttpResponse<Buffer> emptyUpload = plane.uploadResponse("empty.jsonl", "evals", "");
        assertThat(emptyUpload.statusCode()).isEqualTo(400);
        assertThat(emptyUpload.bodyAsJsonObject().getJsonObject("error").getString("param")).isEqualTo("file");
        assertThat(emptyUpload.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("no examples");
        String noAnswers = plane.upload("text.jsonl", "evals", "{\"text\": \"Once upon a time\"}\n");
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

        String training = plane.upload("train.jsonl", "fine-tune", jsonl(questions(PLACES), PLACES));
        JsonObject job = new JsonObject().put("model", "loraplane-tiny").put("training_file", training)
                .put("baseline", new JsonObject().put("few_shot_file", shots));
        HttpResponse<Buffer> noValidation = plane.post("/v1/fine_tuning/jobs", job);
        assertThat(noValidation.statusCode()).isEqualTo(400);
        assertThat(noValidation.bodyAsJsonObject().getJsonObject("error").getString("param")).isEqualTo("validation_file");
        HttpResponse<Buffer> jobShots = plane.post("/v1/fine_tuning/jobs", job.copy()
                .put("validation_file", dataset).put("baseline", new JsonObject().put("few_shot_file", "file-missing")));
        assertThat(jobShots.statusCode()).isEqualTo(400);
        assertThat(jobShots.bodyAsJsonObject().getJsonObject("error").getString("param")).isEqualTo("baseline.few_shot_file");
        assertThat(plane.get("/v1/fine_tuning/jobs").getJsonArray("data"))
                .as("no job was created by a refused request").isEmpty();
        assertThat(plane.get("/v1/evals").getJsonArray("data")).isEmpty();
    }

    @Test
    void theCommandLineUploadsTheFilesRunsTheEvalAndPrintsTheTable() throws Exception {
        Path shots = Files.writeString(dir.resolve("shots.jsonl"), jsonl(questions(SHOT_PLACES), SHOT_CAPITALS));
        Path dataset = Files.writeString(dir.resolve("held-out.jsonl"), jsonl(questions(PLACES), PLACES));
        Cli cli = new Cli();
        String server = "http://127.0.0.1:" + plane.port + "/v1";
        int code = cli.run("eval", "run", "--server", server, "--dataset", dataset.toString(), "--max-tokens", "4", "--seed", "9",
                "--variant", "zero-shot=loraplane-tiny", "--variant", "few-shot=loraplane-tiny", "--few-shot", "few-shot=" + shots,
                "--shots", "few-shot=2", "--system", "few-shot=Answer with the capital only.");
        assertThat(code).as(cli.out + "\n" + cli.err).isZero();
        String out = cli.out.toString();
        String id = out.lines().findFirst().orElseThrow().substring("eval ".length());
        JsonObject report = plane.get("/v1/evals/" + id + "/report");
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
        HttpResponse<Buffer> response = plane.post("/v1/evals", body);
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(400);
        return response.bodyAsJsonObject().getJsonObject("error");
    }
}
