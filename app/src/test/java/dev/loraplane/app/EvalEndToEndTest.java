package dev.loraplane.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fine-tune or prompt, on the built-in tiny base over real HTTP: a job with a few-shot baseline trains
 * an adapter on a synthetic sentiment task; its eval on held-out reviews finds the adapter ahead with
 * shorter prompts and a finite break-even; the report's figures are recomputed from the downloaded
 * per-example results; the HTML page shows verdict and table in headless Chromium.
 */
class EvalEndToEndTest {

    /** A synthetic sentiment task: the label follows from "love" or "hate" in the review. */
    static final String[] TRAINING = {"I love this film", "I hate this film", "We love the soup", "We hate the soup",
        "They love the hotel", "They hate the hotel", "I love my new phone", "I hate my new phone", "You will love this book",
        "You will hate this book"};
    /** Held out: reviews the adapter never saw, with the same cue words. */
    static final String[] HELD_OUT = {"I love the garden", "I hate the garden", "We love this song", "We hate this song",
        "They love the bread", "They hate the bread", "I love the new car", "I hate the new car", "Kids love the park",
        "Kids hate the park"};
    static final String SHOTS = jsonl(new String[] {"I love the beach", "I hate the rain", "We love the cake"});

    @TempDir
    Path dir;

    Vertx vertx = Vertx.vertx();
    RegistryServing serving;
    ControlPlane plane;
    WebClient http;
    int port;

    @BeforeEach
    void start() throws Exception {
        Path tiny = dir.resolve("models/loraplane-tiny");
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
        plane.stopWorkers();
        await(vertx.close());
        plane.close();
        serving.close();
    }

    static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    /** Each review with its label. */
    static String jsonl(String[] reviews) {
        StringBuilder out = new StringBuilder();
        for (String review : reviews) {
            out.append("{\"messages\": [{\"role\": \"user\", \"content\": \"").append(review)
                    .append("\"}, {\"role\": \"assistant\", \"content\": \"").append(review.contains("love") ? "positive" : "negative")
                    .append("\"}]}\n");
        }
        return out.toString();
    }

    String upload(String name, String purpose, String content) throws Exception {
        Path file = Files.writeString(dir.resolve(name), content);
        HttpResponse<Buffer> response = await(http.post(port, "127.0.0.1", "/v1/files").sendMultipartForm(MultipartForm.create()
                .attribute("purpose", purpose).textFileUpload("file", name, file.toString(), "application/jsonl")));
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
        return response.bodyAsJsonObject().getString("id");
    }

    JsonObject get(String path) throws Exception {
        HttpResponse<Buffer> response = await(http.get(port, "127.0.0.1", path).send());
        assertThat(response.statusCode()).as(path + ": " + response.bodyAsString()).isEqualTo(200);
        return response.bodyAsJsonObject();
    }

    JsonObject until(String path, String... statuses) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);
        JsonObject object = get(path);
        while (!List.of(statuses).contains(object.getString("status")) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            object = get(path);
        }
        return object;
    }

    static JsonObject fewShot(String file) {
        return new JsonObject().put("system", "Label the review: positive or negative.").put("few_shot_file", file)
                .put("few_shot_count", 3);
    }

    @Test
    void aTrainedAdapterBeatsTheFewShotPromptAndPaysForItselfAndTheReportAddsUp() throws Exception {
        String training = upload("reviews.jsonl", "fine-tune", jsonl(TRAINING));
        String validation = upload("held-out.jsonl", "evals", jsonl(HELD_OUT));
        String shots = upload("shots.jsonl", "evals", SHOTS);
        JsonObject created = await(http.post(port, "127.0.0.1", "/v1/fine_tuning/jobs").sendJsonObject(new JsonObject()
                .put("model", "loraplane-tiny").put("training_file", training).put("validation_file", validation)
                .put("suffix", "sentiment").put("seed", 3).put("quantization", "none")
                .put("method", new JsonObject().put("type", "supervised").put("supervised", new JsonObject()
                        .put("hyperparameters", new JsonObject().put("n_epochs", 30).put("learning_rate_multiplier", 2))))
                .put("baseline", fewShot(shots).put("max_tokens", 12)))).bodyAsJsonObject();
        String evalId = created.getJsonObject("baseline").getString("eval_id");
        assertThat(evalId).as(created.encodePrettily()).startsWith("eval-");

        JsonObject started = until("/v1/fine_tuning/jobs/" + created.getString("id"), "running", "succeeded", "failed", "cancelled");
        String baselineRows = await(http.get(port, "127.0.0.1", "/v1/evals/" + evalId + "/results").send()).bodyAsString();
        assertThat(baselineRows.lines().map(JsonObject::new).filter(r -> r.getString("variant").equals("baseline")))
                .as("the baseline's results are stored before training starts (job " + started.getString("status") + ")")
                .hasSize(HELD_OUT.length);
        JsonObject job = until("/v1/fine_tuning/jobs/" + created.getString("id"), "succeeded", "failed", "cancelled");
        assertThat(job.getString("status")).as(job.encodePrettily()).isEqualTo("succeeded");
        JsonObject eval = until("/v1/evals/" + evalId, "succeeded", "failed");
        assertThat(eval.getString("status")).as(eval.encodePrettily()).isEqualTo("succeeded");
        assertThat(eval.getString("fine_tuning_job_id")).isEqualTo(job.getString("id"));

        JsonObject report = get("/v1/evals/" + evalId + "/report");
        JsonObject prompt = report.getJsonArray("variants").getJsonObject(0);
        JsonObject adapter = report.getJsonArray("variants").getJsonObject(1);
        assertThat(prompt.getString("name")).isEqualTo("baseline");
        assertThat(adapter.getString("model")).isEqualTo(job.getString("fine_tuned_model"));
        assertThat(quality(adapter, "normalized_match")).as("the adapter's accuracy is above the prompt's")
                .isGreaterThanOrEqualTo(quality(prompt, "normalized_match") + 0.5);
        assertThat(adapter.getDouble("prompt_tokens")).as("fewer prompt tokens per query")
                .isLessThan(prompt.getDouble("prompt_tokens") / 2);
        JsonObject breakEven = report.getJsonObject("comparison").getJsonObject("break_even");
        assertThat(breakEven.getDouble("queries_per_month")).as("a finite break-even volume").isNotNull().isPositive();
        assertThat(report.getJsonObject("verdict").getString("decision")).isEqualTo("fine_tune");
        assertThat(report.getJsonObject("verdict").getString("text")).contains("points more accurate", "pays for itself above",
                "queries/month");
        assertThat(adapter.getDouble("training_cost_usd")).as("the job's billed cost").isEqualTo(job.getDouble("cost_usd"));
        List<JsonObject> jobEvents = allEvents(job.getString("id"));
        List<String> messages = jobEvents.stream().map(e -> e.getString("message")).toList();
        int evaluating = indexOf(messages, "Evaluating the baseline prompt on " + HELD_OUT.length + " validation examples");
        int measured = indexOf(messages, "Baseline prompt: normalized match");
        int trainingStarted = indexOf(messages, "Fine-tuning job started");
        int reported = indexOf(messages, "Baseline eval " + evalId + ": ");
        assertThat(indexOf(messages, "Validated training file")).as("files validated, baseline measured, then training, then the"
                + " report: " + messages).isLessThan(evaluating);
        assertThat(evaluating).isLessThan(measured);
        assertThat(measured).isLessThan(trainingStarted);
        assertThat(indexOf(messages, "The job has successfully completed")).isLessThan(reported);
        JsonObject attached = jobEvents.get(reported);
        assertThat(attached.getString("type")).as("the report is attached to the job").isEqualTo("eval");
        assertThat(attached.getJsonObject("data").getString("eval_id")).isEqualTo(evalId);
        assertThat(attached.getJsonObject("data").getString("decision")).isEqualTo("fine_tune");
        assertThat(get("/v1/fine_tuning/jobs/" + job.getString("id")).getJsonObject("baseline").getString("eval_id")).isEqualTo(evalId);

        recomputeByHand(evalId, report);
        openInChromium(evalId, report);
    }

    /** Every event of the job, oldest first, read page by page. */
    private List<JsonObject> allEvents(String jobId) throws Exception {
        List<JsonObject> events = new ArrayList<>();
        JsonObject page = get("/v1/fine_tuning/jobs/" + jobId + "/events?limit=100");
        page.getJsonArray("data").forEach(e -> events.add((JsonObject) e));
        while (page.getBoolean("has_more")) {
            page = get("/v1/fine_tuning/jobs/" + jobId + "/events?limit=100&after=" + events.get(events.size() - 1).getString("id"));
            page.getJsonArray("data").forEach(e -> events.add((JsonObject) e));
        }
        Collections.reverse(events);
        return events;
    }

    /** The index of the first message that starts with {@code prefix}. */
    private static int indexOf(List<String> messages, String prefix) {
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("no event '" + prefix + "…' among " + messages);
    }

    private static double quality(JsonObject variant, String metric) {
        return variant.getJsonObject("quality").getJsonObject(metric).getDouble("value");
    }

    /** The report's figures again, from the downloaded results and the measured rates alone. */
    private void recomputeByHand(String evalId, JsonObject report) throws Exception {
        String jsonl = await(http.get(port, "127.0.0.1", "/v1/evals/" + evalId + "/results").send()).bodyAsString();
        Map<String, List<JsonObject>> byVariant = new TreeMap<>();
        jsonl.lines().map(JsonObject::new).forEach(r -> byVariant.computeIfAbsent(r.getString("variant"), k -> new ArrayList<>()).add(r));
        assertThat(byVariant.keySet()).containsExactlyInAnyOrder("baseline", "fine-tuned");
        JsonObject rates = report.getJsonObject("serving");
        double prefill = 0;
        double wall = 0;
        double promptTokens = 0;
        double completionTokens = 0;
        for (List<JsonObject> rows : byVariant.values()) {
            for (JsonObject r : rows) {
                prefill += r.getDouble("prefill_seconds");
                wall += r.getDouble("run_seconds_share");
                promptTokens += r.getInteger("prompt_tokens");
                completionTokens += r.getInteger("completion_tokens");
            }
        }
        assertThat(rates.getDouble("seconds_per_prompt_token")).isCloseTo(prefill / promptTokens, within(1e-12));
        assertThat(rates.getDouble("seconds_per_completion_token"))
                .isCloseTo(Math.max(0, wall - prefill) / completionTokens, within(1e-12));
        Map<String, Double> costs = new TreeMap<>();
        for (int v = 0; v < 2; v++) {
            JsonObject summary = report.getJsonArray("variants").getJsonObject(v);
            List<JsonObject> rows = byVariant.get(summary.getString("name"));
            assertThat(rows).hasSize(HELD_OUT.length);
            double normalized = rows.stream().filter(r -> r.getBoolean("normalized_match")).count() / (double) HELD_OUT.length;
            double exact = rows.stream().filter(r -> r.getBoolean("exact_match")).count() / (double) HELD_OUT.length;
            double meanPrompt = rows.stream().mapToInt(r -> r.getInteger("prompt_tokens")).average().orElseThrow();
            double meanCompletion = rows.stream().mapToInt(r -> r.getInteger("completion_tokens")).average().orElseThrow();
            int tokens = rows.stream().mapToInt(r -> r.getInteger("reference_tokens")).sum();
            double tokenAccuracy = rows.stream().mapToInt(r -> r.getInteger("reference_correct")).sum() / (double) tokens;
            double loss = rows.stream().mapToDouble(r -> r.getDouble("reference_loss")).sum() / tokens;
            for (JsonObject r : rows) {
                assertThat(r.getBoolean("normalized_match")).as(r.encode()).isEqualTo(
                        r.getString("output").strip().toLowerCase().equals(r.getString("reference").strip().toLowerCase()));
            }
            assertThat(quality(summary, "normalized_match")).isCloseTo(normalized, within(1e-12));
            assertThat(quality(summary, "exact_match")).isCloseTo(exact, within(1e-12));
            assertThat(quality(summary, "token_accuracy")).isCloseTo(tokenAccuracy, within(1e-12));
            assertThat(summary.getDouble("mean_loss")).isCloseTo(loss, within(1e-9));
            assertThat(summary.getDouble("perplexity")).isCloseTo(Math.exp(loss), within(1e-6));
            assertThat(summary.getDouble("prompt_tokens")).isCloseTo(meanPrompt, within(1e-12));
            double usdPerQuery = (meanPrompt * rates.getDouble("seconds_per_prompt_token")
                    + meanCompletion * rates.getDouble("seconds_per_completion_token")) * rates.getDouble("usd_per_device_hour") / 3600;
            assertThat(summary.getDouble("usd_per_1m_queries")).isCloseTo(usdPerQuery * 1e6, within(1e-9));
            costs.put(summary.getString("name"), usdPerQuery);
            JsonObject ci = summary.getJsonObject("quality").getJsonObject("normalized_match");
            assertThat(ci.getDouble("ci_low")).isLessThanOrEqualTo(normalized);
            assertThat(ci.getDouble("ci_high")).isGreaterThanOrEqualTo(normalized);
        }
        JsonObject breakEven = report.getJsonObject("comparison").getJsonObject("break_even");
        double saving = costs.get("baseline") - costs.get("fine-tuned");
        assertThat(breakEven.getDouble("saving_usd_per_query")).isCloseTo(saving, within(1e-15));
        assertThat(breakEven.getDouble("queries_per_month")).isCloseTo(breakEven.getDouble("training_cost_usd") / saving,
                within(1e-6 * breakEven.getDouble("queries_per_month")));
        JsonObject lead = report.getJsonObject("comparison").getJsonObject("lead");
        assertThat(lead.getDouble("value")).isCloseTo(quality(report.getJsonArray("variants").getJsonObject(1), "normalized_match")
                - quality(report.getJsonArray("variants").getJsonObject(0), "normalized_match"), within(1e-12));
        String disagreements = await(http.get(port, "127.0.0.1", "/v1/evals/" + evalId + "/results?disagreements=true").send())
                .bodyAsString();
        assertThat(disagreements.lines().count()).isEqualTo(2L * report.getInteger("disagreements"));
    }

    /** The page in headless Chromium: the verdict and the table are laid out and visible. */
    private void openInChromium(String evalId, JsonObject report) throws Exception {
        HttpResponse<Buffer> page = await(http.get(port, "127.0.0.1", "/v1/evals/" + evalId + "/report.html").send());
        assertThat(page.getHeader("content-type")).startsWith("text/html");
        String probe = "<script>const shown = id => { const e = document.getElementById(id); const r = e.getBoundingClientRect();"
                + " const s = getComputedStyle(e); return r.width > 0 && r.height > 0 && s.visibility === 'visible'"
                + " && s.display !== 'none'; };"
                + " const out = document.createElement('pre'); out.id = 'probe';"
                + " out.textContent = 'verdict=' + shown('verdict') + ' table=' + shown('variants') + ' rows='"
                + " + document.querySelectorAll('#variants tbody tr').length + ' text=' + document.getElementById('verdict').innerText;"
                + " document.body.appendChild(out);</script></body>";
        Path file = Files.writeString(dir.resolve("report.html"), page.bodyAsString().replace("</body>", probe));
        String dom = Chromium.dumpDom(file);
        String verdict = report.getJsonObject("verdict").getString("text");
        assertThat(dom).contains("verdict=true table=true rows=2 text=" + verdict);
    }
}
