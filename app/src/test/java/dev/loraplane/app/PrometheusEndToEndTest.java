package dev.loraplane.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loraplane.app.serve.RegistryServing;
import dev.loraplane.engine.accelerator.Accelerators;
import dev.loraplane.engine.accelerator.DeviceTelemetry;
import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.lora.LoraConfig;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import dev.loraplane.orchestrator.ControlPlane;
import dev.loraplane.orchestrator.executor.LocalExecutor;
import dev.loraplane.orchestrator.metrics.ControlPlaneMetrics;
import dev.loraplane.serving.Serving;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.multipart.MultipartForm;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboards and alert rules against a real Prometheus (Debian's {@code prometheus}) scraping a
 * running loraplane: the control plane with a worker training a job on the tiny base, and serving
 * answering requests for two adapters and the base. Beside it Prometheus scrapes a hand-written sample of
 * what NVIDIA dcgm-exporter and AMD device-metrics-exporter expose ({@value #EXPORTERS_SAMPLE}), for the
 * GPU panels' queries of those. Every PromQL expression of every panel must parse and return data over
 * the run, every series a dashboard names must be one that was scraped, and every alert rule must load
 * and evaluate.
 */
class PrometheusEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    /** A test resource in the GPU exporters' exposition format, written by hand (see its comment). */
    private static final String EXPORTERS_SAMPLE = "gpu-exporters-hand-written-sample.prom";
    /** Figures of the gpu series that this host's cpu plugin may not measure (a VM without RAPL or thermal zones). */
    private static final List<String> HARDWARE_FIGURES = List.of("loraplane_gpu_power_watts", "loraplane_gpu_temperature_celsius");
    /** PromQL words that are not metric names. */
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right", "bool",
            "and", "or", "unless", "offset", "inf", "nan");

    @TempDir
    Path dir;

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient http = HttpClient.newHttpClient();
    private RegistryServing serving;
    private Process prometheus;

    @AfterEach
    void close() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            prometheus.waitFor(10, TimeUnit.SECONDS);
        }
        await(vertx.close());
        if (serving != null) {
            serving.close();
        }
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @Test
    void everyPanelAndAlertExpressionRunsOnPrometheusAndEveryPanelHasData() throws Exception {
        Path repository = Path.of("").toAbsolutePath().getParent();   // tests run in the module's directory
        Path dashboards = repository.resolve("k8s/grafana");
        Path rules = repository.resolve("k8s/prometheus/rules.yaml");
        if (!Files.isExecutable(PROMETHEUS)) {
            System.err.println("SKIPPED: the Prometheus end-to-end test needs " + PROMETHEUS
                    + " (Debian's prometheus package: apt-get install -y prometheus; .ci/run installs it)");
            return;
        }
        Path tiny = dir.resolve("models/loraplane-tiny");
        TinyModel.write(Preset.TINY, tiny, 0);
        ControlPlaneMetrics metrics = new ControlPlaneMetrics();
        ControlPlane.Config laptop = UpCommand.config(UpCommandTest.laptopOnAnyPort(), dir, tiny, List::of);
        serving = new RegistryServing(tiny, UpCommand.TINY, metrics.registry(),
                Serving.Settings.DEFAULTS.withPrice(RegistryServing.cpuPrice(laptop.prices())));
        ControlPlane plane = await(ControlPlane.start(vertx, withTelemetryEverySecond(laptop),
                new ControlPlane.Extensions(List.of(), null, List.of(serving), metrics)));
        int port = plane.port();
        WebClient client = WebClient.create(vertx);
        List<String> adapters = List.of(importAdapter(client, port, tiny, "support-bot", 1), importAdapter(client, port, tiny,
                "sql-bot", 2));

        int exportersPort = serveExportersSample();
        int prometheusPort = freePort();
        long start = System.currentTimeMillis() / 1000;
        prometheus = startPrometheus(port, exportersPort, prometheusPort, rules);
        String api = "http://127.0.0.1:" + prometheusPort;

        String jobId = trainingJob(client, port);
        AtomicBoolean requesting = new AtomicBoolean(true);
        AtomicReference<Throwable> refused = new AtomicReference<>();
        Thread traffic = new Thread(() -> {
            try {
                while (requesting.get()) {
                    for (String model : List.of(adapters.get(0), adapters.get(1), UpCommand.TINY)) {
                        chat(port, model);
                    }
                    Thread.sleep(2000);   // the worker needs the CPU more
                }
            } catch (AssertionError e) {
                refused.set(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "traffic");
        traffic.start();
        JsonObject job = waitForTheEnd(client, port, jobId);
        Thread.sleep(3000);   // the last counts scraped
        requesting.set(false);
        traffic.join(30_000);
        assertThat(refused.get()).as("serving answered every request").isNull();
        assertThat(job.getString("status")).as("%s\nevents: %s", job.encodePrettily(), await(client.get(port, "127.0.0.1",
                "/v1/fine_tuning/jobs/" + jobId + "/events?limit=100").send()).bodyAsString()).isEqualTo("succeeded");
        System.out.println("the job ran " + (job.getLong("finished_at") - job.getLong("created_at")) + " s; the test's scrapes began "
                + (System.currentTimeMillis() / 1000 - start) + " s ago");
        assertThat(metrics.scrape().lines().filter(l -> l.contains(jobId)).toList()).as("the ended job's series are gone").isEmpty();

        Set<String> exported = new TreeSet<>();
        query(api + "/api/v1/label/__name__/values").get("data").forEach(n -> exported.add(n.asText()));
        assertThat(exported).as("Prometheus scraped loraplane and the exporters' sample").contains("loraplane_jobs",
                "loraplane_gpu_utilization_ratio", "DCGM_FI_DEV_GPU_UTIL", "gpu_gfx_activity");
        List<String> unmeasured = unmeasuredHere();
        long end = System.currentTimeMillis() / 1000;
        int expressions = 0;
        try (Stream<Path> files = Files.list(dashboards)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                for (JsonNode panel : JSON.readTree(file.toFile()).get("panels")) {
                    for (JsonNode target : panel.get("targets")) {
                        String expr = target.get("expr").asText();
                        String where = file.getFileName() + " / " + panel.get("title").asText() + ": " + expr;
                        assertThat(metricNames(expr)).as("series named by %s", where).isNotEmpty().allSatisfy(name -> {
                            if (!unmeasured.contains(name)) {
                                assertThat(exported).as("%s names %s, which was not scraped", where, name).contains(name);
                            }
                        });
                        JsonNode answer = query(api + "/api/v1/query_range?start=" + start + "&end=" + end + "&step=1&query="
                                + URLEncoder.encode(expr, StandardCharsets.UTF_8));
                        assertThat(answer.get("status").asText()).as(where + " → " + answer).isEqualTo("success");
                        if (unmeasured.stream().anyMatch(expr::contains)) {
                            System.err.println("NOT CHECKED FOR DATA (this host's cpu plugin measures no " + unmeasured + "): " + where);
                        } else {
                            assertThat(answer.get("data").get("result")).as("data of %s", where).isNotEmpty();
                        }
                        expressions++;
                    }
                }
            }
        }
        JsonNode groups = query(api + "/api/v1/rules").get("data").get("groups");
        int alerts = 0;
        for (JsonNode group : groups) {
            for (JsonNode rule : group.get("rules")) {
                String where = rule.get("name").asText() + ": " + rule.get("query").asText();
                assertThat(rule.get("health").asText()).as(where + " → " + rule).isEqualTo("ok");
                JsonNode answer = query(api + "/api/v1/query?query=" + URLEncoder.encode(rule.get("query").asText(),
                        StandardCharsets.UTF_8));
                assertThat(answer.get("status").asText()).as(where).isEqualTo("success");
                alerts++;
            }
        }
        assertThat(alerts).as("alert rules loaded from " + rules).isGreaterThanOrEqualTo(5);
        System.out.println(expressions + " panel expressions and " + alerts + " alert rules checked over " + (end - start)
                + " s of scrapes");
    }

    /** The laptop config, with workers printing their device readings every second instead of every five. */
    private static ControlPlane.Config withTelemetryEverySecond(ControlPlane.Config c) {
        List<String> worker = new ArrayList<>(c.local().workerCommand());
        worker.addAll(List.of("--telemetry-seconds", "1"));
        LocalExecutor.Config local = new LocalExecutor.Config(worker, c.local().cpuSlots(), c.local().devices(), c.local().workDir(),
                c.local().graceSeconds());
        return new ControlPlane.Config(c.dataDir(), c.host(), c.port(), c.apiKeys(), c.baseModels(), c.database(), local, c.quotas(),
                c.retries(), c.prices(), c.maxUploadBytes(), c.agents());
    }

    /** Registers a q/v adapter whose B is not zero, as a user imports one; returns its name. */
    private String importAdapter(WebClient client, int port, Path tiny, String name, long seed) throws Exception {
        Path out = dir.resolve(name);
        try (Llama model = Llama.load(tiny); LoraAdapter lora = LoraAdapter.initialize(name, new LoraConfig(8, 16, 0,
                List.of("q_proj", "v_proj"), false, UpCommand.TINY), model, seed)) {
            lora.modules().values().forEach(m -> m.b().addi(0.5f));
            lora.save(out);
        }
        JsonObject answer = await(client.post(port, "127.0.0.1", "/v1/adapters").sendMultipartForm(MultipartForm.create()
                .attribute("name", name).attribute("base_model", UpCommand.TINY)
                .binaryFileUpload("adapter_config", "adapter_config.json", out.resolve("adapter_config.json").toString(),
                        "application/json")
                .binaryFileUpload("adapter_model", LoraAdapter.WEIGHTS_FILE, out.resolve(LoraAdapter.WEIGHTS_FILE).toString(),
                        "application/octet-stream"))).bodyAsJsonObject();
        assertThat(answer.getString("id")).as(answer.encode()).isEqualTo(name);
        return name;
    }

    /**
     * Creates a job on the tiny base with a validation file, so it reports validation loss as it goes:
     * the examples pack into one row, so each epoch is one step, and the loss is validated every 10
     * steps. A running job's gauges go when it ends, so its 40 steps are what keeps them up for
     * several 1 s scrapes (14 steps were over between two scrapes on a busy machine). LoRA on the
     * full-precision base (no NF4) keeps the steps short.
     */
    private String trainingJob(WebClient client, int port) throws Exception {
        StringBuilder train = new StringBuilder();
        StringBuilder validation = new StringBuilder();
        for (int i = 0; i < 22; i++) {
            String line = "{\"messages\": [{\"role\": \"user\", \"content\": \"Code " + i + "?\"}, {\"role\": \"assistant\","
                    + " \"content\": \"" + (i * 7 % 13) + ".\"}]}\n";
            (i < 12 ? train : validation).append(line);
        }
        String trainId = upload(client, port, "train.jsonl", train.toString());
        String validationId = upload(client, port, "validation.jsonl", validation.toString());
        return await(client.post(port, "127.0.0.1", "/v1/fine_tuning/jobs").sendJsonObject(new JsonObject()
                .put("model", UpCommand.TINY).put("training_file", trainId).put("validation_file", validationId).put("seed", 5)
                .put("quantization", "none")
                .put("method", new JsonObject().put("type", "supervised").put("supervised", new JsonObject()
                        .put("hyperparameters", new JsonObject().put("n_epochs", 40).put("batch_size", 1))))))
                .bodyAsJsonObject().getString("id");
    }

    private String upload(WebClient client, int port, String name, String content) throws Exception {
        Path file = Files.writeString(dir.resolve(name), content);
        JsonObject answer = await(client.post(port, "127.0.0.1", "/v1/files").sendMultipartForm(MultipartForm.create()
                .attribute("purpose", "fine-tune").textFileUpload("file", name, file.toString(), "application/jsonl")))
                .bodyAsJsonObject();
        assertThat(answer.getString("id")).as(answer.encode()).isNotNull();
        return answer.getString("id");
    }

    private JsonObject waitForTheEnd(WebClient client, int port, String jobId) throws Exception {
        JsonObject job = new JsonObject().put("status", "validating_files");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(420);   // a busy CI machine slows the worker a lot
        while (!List.of("succeeded", "failed", "cancelled").contains(job.getString("status")) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            job = await(client.get(port, "127.0.0.1", "/v1/fine_tuning/jobs/" + jobId).send()).bodyAsJsonObject();
        }
        return job;
    }

    private void chat(int port, String model) {
        String body = new JsonObject().put("model", model).put("max_tokens", 8).put("temperature", 0)
                .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "Code for item 3?"))).encode();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/v1/chat/completions")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError(model + " answered " + response.statusCode() + ": " + response.body());
            }
        } catch (IOException e) {
            throw new AssertionError("serving did not answer for " + model, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Serves {@value #EXPORTERS_SAMPLE} on loopback as a GPU exporter serves its scrape; returns the port. */
    private int serveExportersSample() throws Exception {
        byte[] sample;
        try (InputStream in = PrometheusEndToEndTest.class.getResourceAsStream("/" + EXPORTERS_SAMPLE)) {
            assertThat(in).as(EXPORTERS_SAMPLE + " on the test class path").isNotNull();
            sample = in.readAllBytes();
        }
        Buffer body = Buffer.buffer(sample);
        return await(vertx.createHttpServer().requestHandler(request -> request.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(body)).listen(0, "127.0.0.1"))
                .actualPort();
    }

    /**
     * Prometheus on loopback, scraping the control plane's /metrics and the exporters' sample every
     * second, with loraplane's alert rules.
     */
    private Process startPrometheus(int target, int exporters, int port, Path rules) throws Exception {
        Path config = Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: loraplane
                    metrics_path: /metrics
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                  - job_name: gpu-exporters-sample
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(rules, target, exporters));
        Process process = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return process;
                }
            } catch (IOException notYet) {
                // still starting
            }
            assertThat(process.isAlive()).as(Files.readString(dir.resolve("prometheus.log"))).isTrue();
            Thread.sleep(200);
        }
        throw new AssertionError("Prometheus was not ready in 30 s: " + Files.readString(dir.resolve("prometheus.log")));
    }

    private JsonNode query(String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    /** The gpu figures this host's cpu plugin does not measure: their panels can have no data here. */
    private static List<String> unmeasuredHere() {
        DeviceTelemetry cpu = Accelerators.plugin("cpu").orElseThrow().sample().get(0);
        List<String> unmeasured = new ArrayList<>();
        if (cpu.powerWatts() == null) {
            unmeasured.add(HARDWARE_FIGURES.get(0));
        }
        if (cpu.temperatureCelsius() == null) {
            unmeasured.add(HARDWARE_FIGURES.get(1));
        }
        return unmeasured;
    }

    /**
     * The metric names an expression selects: its identifiers less string literals, label matchers,
     * ranges, grouping clauses, function and aggregation names, keywords and numbers.
     */
    static Set<String> metricNames(String expr) {
        String bare = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"").replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\s*\\()?").matcher(bare);
        while (m.find()) {
            String word = m.group().replaceAll("[\\s(]", "");
            if (m.group(1) == null && !KEYWORDS.contains(word.toLowerCase(java.util.Locale.ROOT))) {
                names.add(word);
            }
        }
        return names;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
