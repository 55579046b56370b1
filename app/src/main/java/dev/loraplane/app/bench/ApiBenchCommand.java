package dev.loraplane.app.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loraplane.orchestrator.api.ApiConfig;
import dev.loraplane.orchestrator.api.ApiVerticle;
import dev.loraplane.orchestrator.metrics.ControlPlaneMetrics;
import dev.loraplane.orchestrator.store.Database;
import dev.loraplane.orchestrator.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.multipart.MultipartForm;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "api", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Job creates/s and create/list latency over HTTP, on H2.",
            "",
            "No executor runs: jobs stay where the API leaves them, so only the API and the store are measured."
        })
final class ApiBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--jobs", defaultValue = "2000", description = "jobs to create (default: ${DEFAULT-VALUE})")
    int jobs;

    @Option(names = "--concurrency", defaultValue = "16", description = "requests in flight (default: ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--lists", defaultValue = "500", description = "list requests after the creates (default: ${DEFAULT-VALUE})")
    int lists;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("loraplane-bench-api-");
        Vertx vertx = Vertx.vertx();
        try {
            ApiVerticle api = new ApiVerticle(new ApiConfig("127.0.0.1", 0, dir, 1 << 20, Map.of(), Map.of("loraplane-tiny", dir)),
                    Store.open(Database.h2(dir.resolve("db"))), new ControlPlaneMetrics());
            await(vertx.deployVerticle(api));
            WebClient http = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true),
                    new io.vertx.core.http.PoolOptions().setHttp1MaxSize(concurrency));
            int port = api.port();
            Path train = Files.writeString(dir.resolve("train.jsonl"), ("{\"prompt\": \"a\", \"completion\": \"b\"}\n").repeat(10));
            String file = await(http.post(port, "127.0.0.1", "/v1/files").sendMultipartForm(MultipartForm.create()
                    .attribute("purpose", "fine-tune").textFileUpload("file", "train.jsonl", train.toString(), "application/jsonl")))
                    .bodyAsJsonObject().getString("id");
            Buffer body = new JsonObject().put("model", "loraplane-tiny").put("training_file", file).toBuffer();

            run(jobs / 10, concurrency, () -> http.post(port, "127.0.0.1", "/v1/fine_tuning/jobs").sendBuffer(body).mapEmpty());
            long start = System.nanoTime();
            long[] create = run(jobs, concurrency, () -> http.post(port, "127.0.0.1", "/v1/fine_tuning/jobs").sendBuffer(body).mapEmpty());
            double createsPerSecond = jobs / ((System.nanoTime() - start) / 1e9);
            long[] list = run(lists, concurrency, () -> http.get(port, "127.0.0.1", "/v1/fine_tuning/jobs?limit=20").send().mapEmpty());

            ObjectNode result = new ObjectMapper().createObjectNode();
            result.put("jobs", jobs).put("concurrency", concurrency).put("store", "h2");
            result.put("creates_per_s", Math.round(createsPerSecond));
            result.put("create_p50_ms", ms(create, 0.50)).put("create_p99_ms", ms(create, 0.99));
            result.put("list_p50_ms", ms(list, 0.50)).put("list_p99_ms", ms(list, 0.99));
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(result.toPrettyString());
            } else {
                out.printf(Locale.ROOT, "%d job creates over HTTP, %d in flight, on H2: %.0f creates/s%n", jobs, concurrency, createsPerSecond);
                out.printf(Locale.ROOT, "create  p50 %.2f ms  p99 %.2f ms%n", result.get("create_p50_ms").asDouble(), result.get("create_p99_ms").asDouble());
                out.printf(Locale.ROOT, "list    p50 %.2f ms  p99 %.2f ms  (20 jobs a page)%n", result.get("list_p50_ms").asDouble(),
                        result.get("list_p99_ms").asDouble());
            }
            return 0;
        } finally {
            await(vertx.close());
            BenchSupport.deleteTree(dir);
        }
    }

    /** Runs {@code count} requests with at most {@code concurrency} in flight; returns each one's latency in ns. */
    private static long[] run(int count, int concurrency, java.util.function.Supplier<Future<Void>> request) throws Exception {
        long[] latencies = new long[count];
        Semaphore inFlight = new Semaphore(concurrency);
        CompletableFuture<?>[] all = new CompletableFuture<?>[count];
        for (int i = 0; i < count; i++) {
            inFlight.acquire();
            int index = i;
            long start = System.nanoTime();
            all[i] = request.get().onComplete(done -> {
                latencies[index] = System.nanoTime() - start;
                inFlight.release();
            }).toCompletionStage().toCompletableFuture();
        }
        CompletableFuture.allOf(all).get(10, TimeUnit.MINUTES);
        return latencies;
    }

    private static double ms(long[] latencies, double quantile) {
        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        return Math.round(sorted[(int) Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] / 1e4) / 100.0;
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
}
