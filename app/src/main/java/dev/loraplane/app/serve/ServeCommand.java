package dev.loraplane.app.serve;

import dev.loraplane.app.Home;
import dev.loraplane.serving.Serving;
import dev.loraplane.serving.adapters.RegistryAdapters;
import dev.loraplane.serving.api.CompletionBackend;
import dev.loraplane.serving.api.ServingVerticle;
import dev.loraplane.serving.DevicePrice;
import dev.loraplane.orchestrator.cost.PriceTable;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {
            "Serve one base model and its LoRA adapters, OpenAI-style, on a port of its own.",
            "",
            "POST /v1/completions and /v1/chat/completions with model set to the base",
            "model's name or an adapter's. Adapters come from /v1/load_lora_adapter and,",
            "with --registry, from a control plane's registry (a name's newest version,",
            "swapped in without a restart)."
        })
public final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "the base model, a Hugging Face directory")
    Path model;

    @Option(names = "--name", paramLabel = "NAME", description = "the base model's name in requests (default: the directory's name)")
    String name;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "the address to listen on (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", defaultValue = "8000", description = "the port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--registry", paramLabel = "URL", description = "the control plane whose adapter registry to serve from")
    String registry;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:LORAPLANE_API_KEY}",
            description = "the control plane's API key for --registry (default: $LORAPLANE_API_KEY)")
    String apiKey;

    @Option(names = "--max-batch", defaultValue = "16", description = "sequences decoded together (default: ${DEFAULT-VALUE})")
    int maxBatch;

    @Option(names = "--max-model-len", defaultValue = "0", paramLabel = "TOKENS",
            description = "the context served, prompt and reply (default: the model's, at most 2048)")
    int maxContext;

    @Option(names = "--max-loras", defaultValue = "8", description = "distinct adapters in one step (default: ${DEFAULT-VALUE})")
    int maxLoras;

    @Option(names = "--max-cpu-loras", defaultValue = "32", description = "adapters kept in memory (default: ${DEFAULT-VALUE})")
    int maxCpuLoras;

    @Option(names = "--max-lora-rank", defaultValue = "64", description = "the largest adapter rank served (default: ${DEFAULT-VALUE})")
    int maxLoraRank;

    @Option(names = "--pin", paramLabel = "ADAPTER",
            description = "keep this adapter loaded from the start, whatever the traffic; repeatable")
    List<String> pins = new ArrayList<>();

    @Option(names = "--queue", defaultValue = "256", description = "requests that may wait before a 429 (default: ${DEFAULT-VALUE})")
    int queue;

    @Option(names = "--usd-per-hour", paramLabel = "USD",
            description = "what an hour of this host's CPU costs, for the serving cost series (default: the price table's cpu price)")
    Double usdPerHour;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(model.resolve("config.json"))) {
            throw new ParameterException(spec.commandLine(), "--model " + model + " is not a model directory: it has no config.json");
        }
        PrintWriter out = spec.commandLine().getOut();
        String served = name != null ? name : model.toAbsolutePath().normalize().getFileName().toString();
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Path downloads = Home.fromEnvironment(System.getenv()).root().resolve("serving").resolve("adapters");
        Serving serving = Serving.open(model, served, registry == null ? null : new RegistryAdapters(registry, apiKey, downloads),
                (tenant, adapter) -> adapter, tenant -> List.<CompletionBackend.ModelCard>of(), meters,
                new Serving.Settings(maxBatch, maxContext, queue, maxLoras, maxCpuLoras, maxLoraRank,
                        Serving.Settings.DEFAULTS.resolveTtl(), Serving.Settings.DEFAULTS.staleWindow(), 50)
                        .withPrice(usdPerHour != null ? new DevicePrice("cpu", usdPerHour) : RegistryServing.cpuPrice(PriceTable.DEFAULTS)));
        for (String pin : pins) {
            try {
                serving.pin(pin).get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                serving.close();
                throw new ParameterException(spec.commandLine(), "--pin " + pin + ": " + e.getCause().getMessage());
            }
        }
        Vertx vertx = Vertx.vertx();
        ServingVerticle verticle = new ServingVerticle(serving.backend(), meters, host, port, 16L << 20);
        vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        String url = "http://" + host + ":" + verticle.port();
        out.println("serving " + served + " at " + url + "/v1" + (registry == null ? "" : ", adapters from " + registry)
                + (pins.isEmpty() ? "" : "; pinned: " + String.join(", ", pins)));
        out.println();
        out.println("  curl " + url + "/v1/chat/completions -H 'Content-Type: application/json' \\");
        out.println("       -d '{\"model\": \"" + served + "\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}'");
        out.println("  curl " + url + "/v1/load_lora_adapter -H 'Content-Type: application/json' \\");
        out.println("       -d '{\"lora_name\": \"my-adapter\", \"lora_path\": \"/path/to/peft/adapter\"}'");
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                out.println("stopping: " + e.getMessage());
            }
            serving.close();
            stopped.countDown();
        }, "loraplane-serve-stop"));
        stopped.await();
        return 0;
    }
}
