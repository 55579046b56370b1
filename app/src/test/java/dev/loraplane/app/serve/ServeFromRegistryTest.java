package dev.loraplane.app.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.app.UpCommandTestAccess;
import dev.loraplane.engine.generate.GenerationRequest;
import dev.loraplane.engine.generate.Generator;
import dev.loraplane.engine.generate.SamplingParams;
import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.lora.LoraBatch;
import dev.loraplane.engine.lora.LoraConfig;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import dev.loraplane.engine.tokenizer.ChatMessage;
import dev.loraplane.engine.tokenizer.Tokenizer;
import dev.loraplane.orchestrator.ControlPlane;
import dev.loraplane.serving.Serving;
import dev.loraplane.serving.adapters.RegistryAdapters;
import dev.loraplane.serving.api.CompletionBackend;
import dev.loraplane.serving.api.ServingVerticle;
import ai.djl.ndarray.NDManager;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.multipart.MultipartForm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loraplane serve --registry}: adapters resolve through the control plane's registry over
 * HTTP, the answers are the engine's own for that adapter, and a new version registered while
 * requests stream is picked up by new requests while none of the streaming ones fails. While the
 * registry is away, adapters in memory go on being served.
 */
class ServeFromRegistryTest {

    private static final String QUESTION = "What is the capital of Quatam?";
    private static final LoraConfig QV = new LoraConfig(8, 16, 0, List.of("q_proj", "v_proj"), false, "loraplane-tiny");

    @TempDir
    Path dir;

    Vertx vertx = Vertx.vertx();
    Serving serving;

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

    /** A q/v adapter with visible effect: B is not zero. */
    private Path adapter(Path tiny, String name, long seed) {
        Path out = dir.resolve(name);
        try (Llama model = Llama.load(tiny); LoraAdapter lora = LoraAdapter.initialize(name, QV, model, seed)) {
            lora.modules().values().forEach(m -> m.b().addi(0.5f));
            lora.save(out);
        }
        return out;
    }

    /** What the engine alone answers greedily, with {@code adapterDir} (null: the base). */
    private String reference(Path tiny, Path adapterDir, int maxTokens) {
        try (Llama model = Llama.load(tiny); Tokenizer tokenizer = Tokenizer.load(tiny); NDManager m = model.manager().newSubManager()) {
            int[] prompt = tokenizer.encode(tokenizer.chatTemplate().render(List.of(ChatMessage.user(QUESTION)), true), false);
            GenerationRequest request = new GenerationRequest(prompt, SamplingParams.greedy(maxTokens, Set.of(tokenizer.eosTokenId())));
            if (adapterDir == null) {
                return tokenizer.decode(new Generator(model).generate(List.of(request), dev.loraplane.engine.model.Adapters.NONE).get(0)
                        .tokenIds(), true);
            }
            try (LoraAdapter adapter = LoraAdapter.fromCheckpoint("ref", adapterDir, model); LoraBatch batch = LoraBatch.single(adapter, 1, m)) {
                return tokenizer.decode(new Generator(model).generate(List.of(request), batch).get(0).tokenIds(), true);
            }
        }
    }

    private Future<HttpResponse<Buffer>> importAdapter(WebClient http, int port, Path adapterDir) {
        return http.post(port, "127.0.0.1", "/v1/adapters").sendMultipartForm(MultipartForm.create()
                .attribute("name", "support-bot").attribute("base_model", "loraplane-tiny")
                .binaryFileUpload("adapter_config", "adapter_config.json", adapterDir.resolve("adapter_config.json").toString(),
                        "application/json")
                .binaryFileUpload("adapter_model", LoraAdapter.WEIGHTS_FILE, adapterDir.resolve(LoraAdapter.WEIGHTS_FILE).toString(),
                        "application/octet-stream"));
    }

    private static JsonObject chat(String model, int maxTokens, boolean stream) {
        return new JsonObject().put("model", model).put("temperature", 0).put("max_tokens", maxTokens).put("stream", stream)
                .put("messages", new io.vertx.core.json.JsonArray().add(new JsonObject().put("role", "user").put("content", QUESTION)));
    }

    @Test
    void adaptersComeFromTheRegistryAndANewVersionIsPickedUpWhileRequestsStream() throws Exception {
        Path tiny = dir.resolve("models/loraplane-tiny");
        TinyModel.write(Preset.TINY, tiny, 0);
        Path v1 = adapter(tiny, "v1", 1);
        Path v2 = adapter(tiny, "v2", 2);
        String base = reference(tiny, null, 12);
        String first = reference(tiny, v1, 12);
        String second = reference(tiny, v2, 12);
        assertThat(List.of(base, first, second)).as("the two versions and the base answer differently").doesNotHaveDuplicates();

        ControlPlane plane = await(ControlPlane.start(vertx, UpCommandTestAccess.laptop(dir, tiny)));
        WebClient http = WebClient.create(vertx);
        assertThat(await(importAdapter(http, plane.port(), v1)).statusCode()).isEqualTo(200);

        serving = Serving.open(tiny, "loraplane-tiny", new RegistryAdapters("http://127.0.0.1:" + plane.port(), null,
                dir.resolve("downloads")), (tenant, adapter) -> adapter, tenant -> List.<CompletionBackend.ModelCard>of(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), new Serving.Settings(8, 256, 64, 4, 8, 64, Duration.ZERO, Duration.ZERO, 10));
        ServingVerticle server = new ServingVerticle(serving.backend(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                "127.0.0.1", 0, 1 << 20);
        await(vertx.deployVerticle(server));
        int port = server.port();

        JsonObject answer = await(http.post(port, "127.0.0.1", "/v1/chat/completions").sendJsonObject(chat("support-bot", 12, false)))
                .bodyAsJsonObject();
        assertThat(answer.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content")).isEqualTo(first);
        JsonObject plain = await(http.post(port, "127.0.0.1", "/v1/chat/completions").sendJsonObject(chat("loraplane-tiny", 12, false)))
                .bodyAsJsonObject();
        assertThat(plain.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content")).isEqualTo(base);

        // Streams under way on version 1 while version 2 is registered.
        List<Future<HttpResponse<Buffer>>> streams = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            streams.add(http.post(port, "127.0.0.1", "/v1/chat/completions").sendJsonObject(chat("support-bot", 200, true)));
        }
        assertThat(await(importAdapter(http, plane.port(), v2)).bodyAsJsonObject().getInteger("version")).isEqualTo(2);
        for (Future<HttpResponse<Buffer>> stream : streams) {
            HttpResponse<Buffer> response = await(stream);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.bodyAsString()).endsWith("data: [DONE]\n\n").doesNotContain("\"error\"");
        }
        JsonObject after = await(http.post(port, "127.0.0.1", "/v1/chat/completions").sendJsonObject(chat("support-bot", 12, false)))
                .bodyAsJsonObject();
        assertThat(after.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"))
                .as("new requests get version 2").isEqualTo(second);

        HttpResponse<Buffer> unknown = await(http.post(port, "127.0.0.1", "/v1/chat/completions").sendJsonObject(chat("nobody", 4, false)));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("'nobody'");
    }

    @Test
    void whileTheRegistryIsAwayAnAdapterInMemoryIsServedAndAnotherIs503() throws Exception {
        Path tiny = dir.resolve("models/loraplane-tiny");
        TinyModel.write(Preset.TINY, tiny, 0);
        Path v1 = adapter(tiny, "v1", 1);
        String first = reference(tiny, v1, 12);
        Vertx registryVertx = Vertx.vertx();
        ControlPlane plane = await(ControlPlane.start(registryVertx, UpCommandTestAccess.laptop(dir, tiny)));
        WebClient http = WebClient.create(vertx);
        assertThat(await(importAdapter(http, plane.port(), v1)).statusCode()).isEqualTo(200);

        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        serving = Serving.open(tiny, "loraplane-tiny", new RegistryAdapters("http://127.0.0.1:" + plane.port(), null,
                dir.resolve("downloads")), (tenant, adapter) -> adapter, tenant -> List.<CompletionBackend.ModelCard>of(),
                meters, new Serving.Settings(8, 256, 64, 4, 8, 64, Duration.ZERO, Duration.ofMinutes(1), 10));
        ServingVerticle server = new ServingVerticle(serving.backend(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                "127.0.0.1", 0, 1 << 20);
        await(vertx.deployVerticle(server));
        int port = server.port();
        JsonObject before = await(http.post(port, "127.0.0.1", "/v1/chat/completions").sendJsonObject(chat("support-bot", 12, false)))
                .bodyAsJsonObject();
        assertThat(before.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content")).isEqualTo(first);

        await(registryVertx.close());   // the control plane goes away
        plane.close();
        HttpResponse<Buffer> during = await(http.post(port, "127.0.0.1", "/v1/chat/completions").sendJsonObject(chat("support-bot", 12,
                false)));
        assertThat(during.statusCode()).as("the adapter in memory is served").isEqualTo(200);
        assertThat(during.bodyAsJsonObject().getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"))
                .isEqualTo(first);
        HttpResponse<Buffer> other = await(http.post(port, "127.0.0.1", "/v1/chat/completions").sendJsonObject(chat("sales-bot", 4, false)));
        assertThat(other.statusCode()).as("an adapter not in memory cannot be resolved").isEqualTo(503);
        assertThat(other.getHeader("Retry-After")).isEqualTo("5");
        assertThat(other.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("registry_unavailable");
        assertThat(meters.get("loraplane.adapter.registry.failures").counter().count()).as("for the alert rule").isPositive();
    }

    @Test
    void anAdapterOfAnotherBaseIsRefusedNamingTheModelAndTheServerGoesOn() throws Exception {
        Path tiny = dir.resolve("models/loraplane-tiny");
        TinyModel.write(Preset.TINY, tiny, 0);
        Path bench = dir.resolve("models/bench");
        TinyModel.write(Preset.BENCH, bench, 0);
        Path foreign = dir.resolve("foreign");
        try (Llama model = Llama.load(bench); LoraAdapter lora = LoraAdapter.initialize("foreign",
                new LoraConfig(8, 16, 0, List.of("q_proj", "v_proj"), false, "bench"), model, 1)) {
            lora.save(foreign);
        }
        serving = Serving.open(tiny, "loraplane-tiny", null, (tenant, adapter) -> adapter, tenant -> List.<CompletionBackend.ModelCard>of(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), new Serving.Settings(4, 256, 16, 2, 4, 64, Duration.ZERO, Duration.ZERO, 10));
        ServingVerticle server = new ServingVerticle(serving.backend(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                "127.0.0.1", 0, 1 << 20);
        await(vertx.deployVerticle(server));
        WebClient http = WebClient.create(vertx);
        int port = server.port();

        HttpResponse<Buffer> loaded = await(http.post(port, "127.0.0.1", "/v1/load_lora_adapter")
                .sendJsonObject(new JsonObject().put("lora_name", "foreign").put("lora_path", foreign.toString())));
        assertThat(loaded.statusCode()).isEqualTo(200);
        HttpResponse<Buffer> refused = await(http.post(port, "127.0.0.1", "/v1/chat/completions").sendJsonObject(chat("foreign", 4, false)));
        assertThat(refused.statusCode()).isEqualTo(400);
        JsonObject error = refused.bodyAsJsonObject().getJsonObject("error");
        assertThat(error.getString("param")).isEqualTo("model");
        assertThat(error.getString("message")).contains("foreign", "bench");
        assertThat(await(http.post(port, "127.0.0.1", "/v1/chat/completions").sendJsonObject(chat("loraplane-tiny", 4, false)))
                .statusCode()).as("the base model still answers").isEqualTo(200);
    }
}
