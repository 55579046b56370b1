package dev.loraplane.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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

    TinyPlane plane;

    @BeforeEach
    void start() throws Exception {
        plane = TinyPlane.start(dir);
    }

    @AfterEach
    void close() throws Exception {
        plane.close();
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

    static JsonObject fewShot(String file) {
        return new JsonObject().put("system", "Label the review: positive or negative.").put("few_shot_file", file)
                .put("few_shot_count", 3);
    }

    @Test
    void aTrainedAdapterBeatsTheFewShotPromptAndPaysForItselfAndTheReportAddsUp() throws Exception {
        String training = plane.upload("reviews.jsonl", "fine-tune", jsonl(TRAINING));
        String validation = plane.upload("held-out.jsonl", "evals", jsonl(HELD_OUT));
        String shots = plane.upload("shots.jsonl", "evals", SHOTS);
        JsonObject created = plane.createJob(TinyPlane.fineTuning(training, "sentiment", 30, 2).put("validation_file", validation)
                .put("baseline", fewShot(shots).put("max_tokens", 12)));
        String evalId = created.getJsonObject("baseline").getString("eval_id");
        assertThat(evalId).as(created.encodePrettily()).startsWith("eval-");

        JsonObject started = plane.until("/v1/fine_tuning/jobs/" + created.getString("id"), "running", "succeeded", "failed",
                "cancelled");
        assertThat(plane.download("/v1/evals/" + evalId + "/results").lines().map(JsonObject::new).filter(r -> r.getString("variant").equals("baseline")))
                .as("the baseline's results are stored before training starts (job " + started.getString("status") + ")")
                .hasSize(HELD_OUT.length);
        JsonObject job = plane.succeeded(created.getString("id"));
        JsonObject eval = plane.until("/v1/evals/" + evalId, "succeeded", "failed");
        assertThat(eval.getString("status")).as(eval.encodePrettily()).isEqualTo("succeeded");
        assertThat(eval.getString("fine_tuning_job_id")).isEqualTo(job.getString("id"));

        JsonObject report = plane.get("/v1/evals/" + evalId + "/report");
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
        assertThat(plane.get("/v1/fine_tuning/jobs/" + job.getString("id")).getJsonObject("baseline").getString("eval_id"))
                .isEqualTo(evalId);

        ReportByHand.check(report, plane.download("/v1/evals/" + evalId + "/results"));
        String disagreements = plane.download("/v1/evals/" + evalId + "/results?disagreements=true");
        assertThat(disagreements.lines().count()).as("the disagreements download holds both variants' rows of each")
                .isEqualTo(2L * report.getInteger("disagreements"));
        openInChromium(evalId, report);
    }

    /** Every event of the job, oldest first, read page by page. */
    private List<JsonObject> allEvents(String jobId) throws Exception {
        List<JsonObject> events = new ArrayList<>();
        JsonObject page = plane.get("/v1/fine_tuning/jobs/" + jobId + "/events?limit=100");
        page.getJsonArray("data").forEach(e -> events.add((JsonObject) e));
        while (page.getBoolean("has_more")) {
            page = plane.get("/v1/fine_tuning/jobs/" + jobId + "/events?limit=100&after=" + events.get(events.size() - 1).getString("id"));
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

    /** The page in headless Chromium: the verdict and the table are laid out and visible. */
    private void openInChromium(String evalId, JsonObject report) throws Exception {
        HttpResponse<Buffer> page = TinyPlane.await(plane.http.get(plane.port, "127.0.0.1", "/v1/evals/" + evalId + "/report.html")
                .send());
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
