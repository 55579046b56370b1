package dev.loraplane.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import dev.loraplane.orchestrator.ControlPlane;
import dev.loraplane.orchestrator.config.ConfigFile;
import dev.loraplane.orchestrator.config.ConfigLoader;
import dev.loraplane.orchestrator.config.ConfigOverride;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote agents as real child processes: a job waits while no executor can run it, an agent picks
 * it up, the agent is SIGKILLed mid-job, its lease runs out, and a second agent on another work
 * directory resumes the job from the checkpoint the first one uploaded, to success.
 */
class AgentEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String TOKEN = "lpa-test-token";

    @TempDir
    Path dir;

    private final Vertx vertx = Vertx.vertx();
    private final List<Process> agents = new java.util.ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (Process agent : agents) {
            agent.destroyForcibly();
            agent.waitFor(30, TimeUnit.SECONDS);
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private Process agent(String url, String name) throws Exception {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "agent",
                "--server", url, "--token", TOKEN, "--name", name, "--cpu-slots", "1", "--work-dir", dir.resolve(name).toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
        agents.add(process);
        return process;
    }

    private static JsonNode get(String url) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    private static JsonNode post(String url, String contentType, String body) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    private static String events(String url, String job) throws Exception {
        return get(url + "/fine_tuning/jobs/" + job + "/events?limit=100").toString();
    }

    private static void await(String what, long seconds, Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!check.holds()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(300);
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }

    @Test
    void aLostAgentsJobResumesOnAnotherAgentFromTheUploadedCheckpoint() throws Exception {
        Path tiny = dir.resolve("models/loraplane-tiny");
        TinyModel.write(Preset.TINY, tiny, 0);
        // No CPU slot of its own, agents with a 3 s lease, retries after 1 s: everything runs on agents, quickly.
        ConfigFile settings = ConfigLoader.load(null, ConfigOverride.fromEnvironment(Map.of("LORAPLANE_SERVER__PORT", "0",
                "LORAPLANE_EXECUTORS__LOCAL__CPU_SLOTS", "0", "LORAPLANE_EXECUTORS__AGENTS__TOKENS", "[" + TOKEN + "]",
                "LORAPLANE_EXECUTORS__AGENTS__TIMEOUT_SECONDS", "3", "LORAPLANE_RETRIES__BACKOFF_SECONDS", "1",
                "LORAPLANE_RETRIES__MULTIPLIER", "1")));
        ControlPlane.Config config = UpCommand.config(settings, dir, tiny, List::of);
        ControlPlane plane = ControlPlane.start(vertx, config).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        String url = "http://127.0.0.1:" + plane.port() + "/v1";

        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            jsonl.append("{\"messages\": [{\"role\": \"user\", \"content\": \"Code ").append(i)
                    .append("?\"}, {\"role\": \"assistant\", \"content\": \"K").append(i * 5 % 13).append("\"}]}\n");
        }
        String boundary = "----loraplane" + System.nanoTime();
        String file = post(url + "/files", "multipart/form-data; boundary=" + boundary, "--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nfine-tune\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"codes.jsonl\"\r\nContent-Type: application/jsonl\r\n\r\n"
                + jsonl + "\r\n--" + boundary + "--\r\n").get("id").asText();
        String job = post(url + "/fine_tuning/jobs", "application/json", "{\"model\": \"loraplane-tiny\", \"training_file\": \""
                + file + "\", \"seed\": 5, \"hyperparameters\": {\"n_epochs\": 16}}").get("id").asText();

        // No executor has a free CPU slot of its own: the job waits and says why.
        await("the job says why it waits", 30, () -> events(url, job).contains("No executor has 1 × cpu"));
        assertThat(get(url + "/fine_tuning/jobs/" + job).get("status").asText()).isEqualTo("queued");

        Process first = agent(url, "agent-a");
        await("the first agent trains and uploads a checkpoint", 120,
                () -> dir.resolve("jobs").resolve(job).resolve("checkpoints").resolve("checkpoint-10").toFile().isDirectory());
        assertThat(events(url, job)).contains("on agent:agent-");
        assertThat(metrics(plane.port())).as("the agent's worker reads its device and sends it with its events")
                .anyMatch(l -> l.startsWith("loraplane_gpu_utilization_ratio{") && l.contains("job_id=\"" + job + "\"")
                        && l.contains("vendor=\"cpu\""));
        JsonNode capacity = get(url + "/capacity").get("data");
        assertThat(capacity).as(capacity.toString()).singleElement().satisfies(pool -> {
            assertThat(pool.get("executor").asText()).isEqualTo("agent");
            assertThat(pool.get("type").asText()).isEqualTo("cpu");
            assertThat(pool.get("total").asInt()).isOne();
            assertThat(pool.get("free").asInt()).as("held by the running attempt").isZero();
        });
        first.destroyForcibly();   // SIGKILL: no exit report, no more heartbeats
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();

        await("the lost agent's attempt is given up", 30, () -> events(url, job).contains("The worker was lost"));
        assertThat(events(url, job)).contains("missed its heartbeats for 3 s", "Retrying in 1 s from the last checkpoint");

        agent(url, "agent-b");
        Predicate<JsonNode> done = state -> state.get("status").asText().matches("succeeded|failed|cancelled");
        await("the second agent finishes the job", 180, () -> done.test(get(url + "/fine_tuning/jobs/" + job)));
        JsonNode state = get(url + "/fine_tuning/jobs/" + job);
        assertThat(state.get("status").asText()).as(state.toString()).isEqualTo("succeeded");
        assertThat(state.get("attempts").asInt()).isEqualTo(2);
        assertThat(state.get("cost_usd").asDouble()).as("both attempts' device time").isPositive();
        assertThat(events(url, job)).contains("resumed from checkpoint-");
        assertThat(dir.resolve("adapters").resolve(job).resolve("adapter_model.safetensors")).exists();
        assertThat(dir.resolve("agent-b").resolve("models").resolve("loraplane-tiny").resolve("model.safetensors"))
                .as("the agent downloaded the base model").exists();
        String adapter = state.get("fine_tuned_model").asText();
        assertThat(get(url + "/adapters/" + adapter).get("job_id").asText()).isEqualTo(job);
        assertThat(metrics(plane.port())).as("the ended job's series are gone").noneMatch(l -> l.contains(job));
    }

    private static List<String> metrics(int port) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body().lines().filter(l -> !l.startsWith("#")).toList();
    }
}
