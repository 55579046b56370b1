package dev.loraplane.serving.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.engine.generate.SamplingParams;
import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import dev.loraplane.engine.tokenizer.Tokenizer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP layer over a scripted backend that "generates" a fixed text with the real tiny tokenizer:
 * response shapes, streaming, stop strings, and every refusal naming its field.
 */
class ServingApiTest {

    @TempDir
    static Path dir;

    static Tokenizer tokenizer;
    Vertx vertx = Vertx.vertx();
    WebClient client;
    int port;
    final List<SamplingParams> seen = new ArrayList<>();

    /** Answers "Paris is nice. The end." for the base model and adapter "ft:facts", one token at a time. */
    final class ScriptedBackend implements CompletionBackend {

        boolean busy;

        @Override
        public String baseModel() {
            return "loraplane-tiny";
        }

        @Override
        public Tokenizer tokenizer() {
            return tokenizer;
        }

        @Override
        public int maxContext() {
            return 64;
        }

        @Override
        public CompletableFuture<Running> submit(String tenant, String model, int[] prompt, SamplingParams sampling, TokenSink sink) {
            if (!model.equals("loraplane-tiny") && !model.equals("ft:facts")) {
                return CompletableFuture.failedFuture(ServingException.unknownModel(model));
            }
            if (busy) {
                return CompletableFuture.failedFuture(ServingException.overloaded(2));
            }
            seen.add(sampling);
            int[] ids = tokenizer.encode("Paris is nice. The end.", false);
            new Thread(() -> {
                String stop = null;
                int produced = 0;
                for (int id : ids) {
                    if (produced == sampling.maxTokens()) {
                        break;
                    }
                    sink.token(id);
                    produced++;
                    String text = tokenizer.decode(java.util.Arrays.copyOf(ids, produced), true);
                    stop = sampling.stopStrings().stream().filter(text::contains).findFirst().orElse(null);
                    if (stop != null) {
                        break;
                    }
                }
                sink.finished(stop != null ? "stop" : produced == sampling.maxTokens() ? "length" : "stop", stop);
            }).start();
            return CompletableFuture.completedFuture(() -> { });
        }

        @Override
        public List<ModelCard> models(String tenant) {
            return List.of(new ModelCard("loraplane-tiny", null, 1), new ModelCard("ft:facts", "loraplane-tiny", 2));
        }

        @Override
        public void loadAdapter(String name, Path path) {
        }

        @Override
        public boolean unloadAdapter(String name) {
            return name.equals("ft:facts");
        }

        @Override
        public boolean ready() {
            return true;
        }
    }

    ScriptedBackend backend = new ScriptedBackend();

    @BeforeEach
    void start() throws Exception {
        if (tokenizer == null) {
            TinyModel.write(Preset.TINY, dir.resolve("tiny"), 0);
            tokenizer = Tokenizer.load(dir.resolve("tiny"));
        }
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create(false).setBodyLimit(4096));
        ServingApi api = new ServingApi(vertx, backend, ctx -> "default");
        api.completionRoutes(router);
        api.serverRoutes(router);
        router.route().failureHandler(ServingErrors::handle);
        port = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")).actualPort();
        client = WebClient.create(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        await(vertx.close());
    }

    static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private HttpResponse<Buffer> post(String path, String body) throws Exception {
        return await(client.post(port, "127.0.0.1", path).putHeader("content-type", "application/json").sendBuffer(Buffer.buffer(body)));
    }

    @Test
    void aChatCompletionHasOpenAisShapeAndEndsBeforeTheStopString() throws Exception {
        HttpResponse<Buffer> response = post("/v1/chat/completions", "{\"model\": \"ft:facts\", \"messages\": [{\"role\": \"user\","
                + " \"content\": \"Where?\"}], \"max_tokens\": 30, \"stop\": \". The\", \"temperature\": 0}");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonObject body = response.bodyAsJsonObject();
        assertThat(body.getString("object")).isEqualTo("chat.completion");
        assertThat(body.getString("id")).startsWith("chatcmpl-");
        assertThat(body.getString("model")).isEqualTo("ft:facts");
        JsonObject choice = body.getJsonArray("choices").getJsonObject(0);
        assertThat(choice.getJsonObject("message").getString("role")).isEqualTo("assistant");
        assertThat(choice.getJsonObject("message").getString("content")).isEqualTo("Paris is nice");
        assertThat(choice.getString("finish_reason")).isEqualTo("stop");
        JsonObject usage = body.getJsonObject("usage");
        assertThat(usage.getInteger("total_tokens")).isEqualTo(usage.getInteger("prompt_tokens") + usage.getInteger("completion_tokens"));
        assertThat(usage.getInteger("prompt_tokens")).isEqualTo(tokenizer.encode(tokenizer.chatTemplate()
                .render(List.of(dev.loraplane.engine.tokenizer.ChatMessage.user("Where?")), true), false).length);
        SamplingParams sampling = seen.get(0);
        assertThat(sampling.isGreedy()).isTrue();
        assertThat(sampling.maxTokens()).isEqualTo(30);
        assertThat(sampling.stopTokenIds()).containsExactly(tokenizer.eosTokenId());
    }

    @Test
    void aStreamedChatSendsTheRoleFirstThenPiecesThenTheReasonThenUsageAndDone() throws Exception {
        HttpResponse<Buffer> response = post("/v1/chat/completions", "{\"model\": \"loraplane-tiny\", \"messages\": [{\"role\":"
                + " \"user\", \"content\": \"Where?\"}], \"stream\": true, \"stream_options\": {\"include_usage\": true}}");
        assertThat(response.getHeader("content-type")).isEqualTo("text/event-stream");
        List<String> events = response.bodyAsString().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        assertThat(events).last().isEqualTo("[DONE]");
        List<JsonObject> chunks = events.subList(0, events.size() - 1).stream().map(JsonObject::new).toList();
        assertThat(chunks).allSatisfy(c -> assertThat(c.getString("object")).isEqualTo("chat.completion.chunk"));
        assertThat(chunks.get(0).getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("role")).isEqualTo("assistant");
        StringBuilder text = new StringBuilder();
        for (JsonObject c : chunks.subList(0, chunks.size() - 2)) {
            text.append(c.getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("content", ""));
        }
        assertThat(text.toString()).isEqualTo("Paris is nice. The end.");
        assertThat(chunks.get(chunks.size() - 2).getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("stop");
        assertThat(chunks.get(chunks.size() - 1).getJsonObject("usage").getInteger("completion_tokens"))
                .isEqualTo(tokenizer.encode("Paris is nice. The end.", false).length);
        assertThat(seen.get(0).maxTokens()).as("chat's default: the rest of the context").isEqualTo(64 - chunks.get(chunks.size() - 1)
                .getJsonObject("usage").getInteger("prompt_tokens"));
    }

    @Test
    void aLegacyCompletionDefaultsTo16TokensAndTakesTokenIds() throws Exception {
        JsonObject body = post("/v1/completions", "{\"model\": \"loraplane-tiny\", \"prompt\": [1, 2, 3], \"max_tokens\": 3}")
                .bodyAsJsonObject();
        assertThat(body.getString("object")).isEqualTo("text_completion");
        assertThat(body.getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("length");
        assertThat(body.getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(3);
        post("/v1/completions", "{\"model\": \"loraplane-tiny\", \"prompt\": \"Hi\"}");
        assertThat(seen.get(1).maxTokens()).isEqualTo(16);
    }

    @Test
    void everyBadRequestIsRefusedNamingItsField() throws Exception {
        String chat = "{\"model\": \"loraplane-tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]";
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(chat + ", \"max_tokens\": -1}", "max_tokens");
        cases.put(chat + ", \"max_tokens\": 0}", "max_tokens");
        cases.put(chat + ", \"temperature\": 2.5}", "temperature");
        cases.put(chat + ", \"top_p\": 0}", "top_p");
        cases.put(chat + ", \"n\": 2}", "n");
        cases.put(chat + ", \"stop\": [\"a\", \"b\", \"c\", \"d\", \"e\"]}", "stop");
        cases.put(chat + ", \"seed\": 1.5}", "seed");
        cases.put(chat + ", \"stream\": \"yes\"}", "stream");
        cases.put(chat + ", \"max_tokens\": 60}", "max_tokens");
        cases.put("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}", "model");
        cases.put("{\"model\": \"loraplane-tiny\", \"messages\": []}", "messages");
        cases.put("{\"model\": \"loraplane-tiny\", \"messages\": [{\"role\": \"wizard\", \"content\": \"Hi\"}]}", "messages[0].role");
        cases.put("{\"model\": \"loraplane-tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"" + "word ".repeat(80) + "\"}]}",
                "messages");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<Buffer> response = post("/v1/chat/completions", c.getKey());
            assertThat(response.statusCode()).as(c.getKey()).isEqualTo(400);
            assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("param")).as(c.getKey()).isEqualTo(c.getValue());
        }
        HttpResponse<Buffer> badToken = post("/v1/completions", "{\"model\": \"loraplane-tiny\", \"prompt\": [1, 99999]}");
        assertThat(badToken.statusCode()).isEqualTo(400);
        assertThat(badToken.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("99999");
        HttpResponse<Buffer> noPrompt = post("/v1/completions", "{\"model\": \"loraplane-tiny\"}");
        assertThat(noPrompt.bodyAsJsonObject().getJsonObject("error").getString("param")).isEqualTo("prompt");
        HttpResponse<Buffer> malformed = post("/v1/chat/completions", "{\"model\": ");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("invalid_json");
        HttpResponse<Buffer> huge = post("/v1/chat/completions", chat + ", \"user\": \"" + "x".repeat(5000) + "\"}");
        assertThat(huge.statusCode()).isEqualTo(400);
        assertThat(huge.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("request_too_large");
        assertThat(huge.bodyAsJsonObject().getJsonObject("error").getString("param")).isEqualTo("body");
        assertThat(seen).as("nothing reached the backend").isEmpty();
    }

    @Test
    void anUnknownModelIs404NamingItAndAFullQueueIs429WithRetryAfter() throws Exception {
        HttpResponse<Buffer> unknown = post("/v1/chat/completions",
                "{\"model\": \"ft:nope\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        JsonObject error = unknown.bodyAsJsonObject().getJsonObject("error");
        assertThat(error.getString("param")).isEqualTo("model");
        assertThat(error.getString("message")).contains("'ft:nope'");

        backend.busy = true;
        HttpResponse<Buffer> busy = post("/v1/completions", "{\"model\": \"loraplane-tiny\", \"prompt\": \"Hi\"}");
        assertThat(busy.statusCode()).isEqualTo(429);
        assertThat(busy.getHeader("Retry-After")).isEqualTo("2");
    }

    @Test
    void modelsListTheBaseAndItsAdaptersWithTheirParent() throws Exception {
        JsonObject models = await(client.get(port, "127.0.0.1", "/v1/models").send()).bodyAsJsonObject();
        assertThat(models.getJsonArray("data").getJsonObject(1).getString("parent")).isEqualTo("loraplane-tiny");
        assertThat(await(client.get(port, "127.0.0.1", "/health").send()).statusCode()).isEqualTo(200);
        assertThat(post("/v1/unload_lora_adapter", "{\"lora_name\": \"ft:other\"}").statusCode()).isEqualTo(404);
        assertThat(post("/v1/load_lora_adapter", "{\"lora_name\": \"x\"}").bodyAsJsonObject().getJsonObject("error")
                .getString("param")).isEqualTo("lora_path");
    }
}
