package dev.loraplane.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL of the control plane in the middle of a job loses nothing: its worker checkpoints and stops,
 * and the next start requeues the job and resumes it from that checkpoint to success.
 */
class ControlPlaneDurabilityTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    /** {@code loraplane up} in a child JVM; returns the process once it prints its URL. */
    private Process up(String[] url) throws Exception {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "up", "--port", "0", "--data-dir", dir.toString()).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("loraplane is up: ")) {
                url[0] = line.substring("loraplane is up: ".length(), line.indexOf("/v1")) + "/v1";
                break;
            }
        }
        assertThat(url[0]).as("the control plane printed its URL").isNotNull();
        Thread drain = new Thread(() -> {
            try {
                out.transferTo(java.io.Writer.nullWriter());
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        drain.setDaemon(true);
        drain.start();
        return process;
    }

    private static JsonNode get(String url) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    private static JsonNode post(String url, String contentType, HttpRequest.BodyPublisher body) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", contentType).POST(body).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private static String events(String url, String job) throws Exception {
        return get(url + "/fine_tuning/jobs/" + job + "/events?limit=100").toString();
    }

    @Test
    void aKilledControlPlaneResumesItsJobFromTheCheckpoint() throws Exception {
        String[] url = new String[1];
        Process first = up(url);
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            jsonl.append("{\"messages\": [{\"role\": \"user\", \"content\": \"Code ").append(i)
                    .append("?\"}, {\"role\": \"assistant\", \"content\": \"K").append(i * 5 % 13).append("\"}]}\n");
        }
        String boundary = "----loraplane" + System.nanoTime();
        String multipart = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nfine-tune\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"codes.jsonl\"\r\nContent-Type: application/jsonl\r\n\r\n"
                + jsonl + "\r\n--" + boundary + "--\r\n";
        String file = post(url[0] + "/files", "multipart/form-data; boundary=" + boundary,
                HttpRequest.BodyPublishers.ofString(multipart)).get("id").asText();
        String job = post(url[0] + "/fine_tuning/jobs", "application/json", HttpRequest.BodyPublishers.ofString(
                "{\"model\": \"loraplane-tiny\", \"training_file\": \"" + file + "\", \"seed\": 5,"
                        + " \"hyperparameters\": {\"n_epochs\": 40}}")).get("id").asText();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!events(url[0], job).contains("Checkpoint written at step") && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        assertThat(events(url[0], job)).contains("Checkpoint written at step 10");
        first.destroyForcibly();   // SIGKILL
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();

        // The orphaned worker notices, checkpoints and stops.
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (workers() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(workers()).as("no worker outlives its control plane").isZero();
        assertThat(Files.list(dir.resolve("jobs").resolve(job).resolve("checkpoints")).count()).isPositive();

        Process second = up(url);
        try {
            JsonNode state = get(url[0] + "/fine_tuning/jobs/" + job);
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (!state.get("status").asText().matches("succeeded|failed|cancelled") && System.nanoTime() < deadline) {
                Thread.sleep(1000);
                state = get(url[0] + "/fine_tuning/jobs/" + job);
            }
            assertThat(state.get("status").asText()).as(state.toString()).isEqualTo("succeeded");
            assertThat(state.get("attempts").asInt()).isEqualTo(2);
            assertThat(events(url[0], job)).contains("goes back to the queue", "resumed from checkpoint-");
            assertThat(dir.resolve("adapters").resolve(job).resolve("adapter_model.safetensors")).exists();
        } finally {
            second.destroy();
            second.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private long workers() {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("--exit-with-parent")
                && p.info().commandLine().orElse("").contains(dir.toString())).count();
    }
}
