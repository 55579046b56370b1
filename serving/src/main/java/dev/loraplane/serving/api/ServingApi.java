package dev.loraplane.serving.api;

import dev.loraplane.engine.generate.SamplingParams;
import dev.loraplane.engine.tokenizer.Tokenizer;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The OpenAI-compatible inference routes in vLLM's conventions: {@code /v1/completions} and
 * {@code /v1/chat/completions} (with {@code stream: true} as server-sent events ending in
 * {@code data: [DONE]}), where {@code model} names the base model or an adapter; and, when serving
 * alone, {@code /v1/models}, {@code /v1/load_lora_adapter}, {@code /v1/unload_lora_adapter},
 * {@code /health} and {@code /ready}.
 */
public final class ServingApi {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Vertx vertx;
    private final CompletionBackend backend;
    private final Function<RoutingContext, String> tenantOf;

    /** @param tenantOf who is asking (the control plane's API key tenant), or a constant when serving alone */
    public ServingApi(Vertx vertx, CompletionBackend backend, Function<RoutingContext, String> tenantOf) {
        this.vertx = vertx;
        this.backend = backend;
        this.tenantOf = tenantOf;
    }

    /** The completion routes, with serving's failure handler; a body handler must come before them. */
    public void completionRoutes(Router router) {
        router.post("/v1/completions").handler(ctx -> complete(ctx, false)).failureHandler(ServingErrors::handle);
        router.post("/v1/chat/completions").handler(ctx -> complete(ctx, true)).failureHandler(ServingErrors::handle);
    }

    /** The routes a standalone server adds: models, adapter loading, health. */
    public void serverRoutes(Router router) {
        router.get("/v1/models").handler(this::models);
        router.post("/v1/load_lora_adapter").handler(this::load);
        router.post("/v1/unload_lora_adapter").handler(this::unload);
        router.get("/health").handler(ctx -> ctx.response().setStatusCode(200).end());
        router.get("/ready").handler(ctx -> ctx.response().setStatusCode(backend.ready() ? 200 : 503).end());
    }

    private void complete(RoutingContext ctx, boolean chat) {
        CompletionRequest request = CompletionRequest.parse(ctx.body().asJsonObject(), chat);
        Tokenizer tokenizer = backend.tokenizer();
        int[] prompt = chat ? tokenizer.encode(tokenizer.chatTemplate().render(request.messages(), true), false)
                : request.promptTokenIds() != null ? request.promptTokenIds() : tokenizer.encode(request.prompt(), true);
        String promptField = chat ? "messages" : "prompt";
        for (int id : prompt) {
            if (id < 0 || id >= tokenizer.vocabSize()) {
                throw ServingException.invalid("prompt", "prompt holds token id " + id + ", outside this model's vocabulary of "
                        + tokenizer.vocabSize());
            }
        }
        if (prompt.length >= backend.maxContext()) {
            throw ServingException.invalid(promptField, "This model's maximum context length is " + backend.maxContext()
                    + " tokens; the " + promptField + " alone is " + prompt.length + " tokens");
        }
        int maxTokens = request.maxTokens() != null ? request.maxTokens() : backend.maxContext() - prompt.length;
        if (prompt.length + maxTokens > backend.maxContext()) {
            throw ServingException.invalid("max_tokens", "This model's maximum context length is " + backend.maxContext()
                    + " tokens; you asked for " + (prompt.length + maxTokens) + " (" + prompt.length + " in the " + promptField
                    + ", " + maxTokens + " to generate)");
        }
        SamplingParams sampling = new SamplingParams(maxTokens, request.temperature(), request.topP(), 0,
                request.seed() != null ? request.seed() : RANDOM.nextLong(), Set.of(tokenizer.eosTokenId()), request.stop());
        Exchange exchange = new Exchange(ctx, request, prompt.length, new IncrementalText(tokenizer, request.stop()),
                vertx.getOrCreateContext());
        backend.submit(tenantOf.apply(ctx), request.model(), prompt, sampling, exchange).whenComplete((running, error) -> {
            if (error != null) {
                exchange.context.runOnContext(v -> ctx.fail(error instanceof java.util.concurrent.CompletionException c
                        ? c.getCause() : error));
            } else {
                exchange.context.runOnContext(v -> {
                    if (ctx.response().closed()) {
                        running.cancel();
                    } else {
                        ctx.response().closeHandler(closed -> running.cancel());
                    }
                });
            }
        });
    }

    /** One request's response: a JSON body at the end, or a stream of chunks; its state lives on the request's context. */
    private static final class Exchange implements CompletionBackend.TokenSink {

        final RoutingContext ctx;
        final CompletionRequest request;
        final int promptTokens;
        final IncrementalText text;
        final Context context;
        final String id;
        final long created = System.currentTimeMillis() / 1000;
        boolean started;

        Exchange(RoutingContext ctx, CompletionRequest request, int promptTokens, IncrementalText text, Context context) {
            this.ctx = ctx;
            this.request = request;
            this.promptTokens = promptTokens;
            this.text = text;
            this.context = context;
            this.id = (request.chat() ? "chatcmpl-" : "cmpl-") + HexFormat.of().formatHex(RANDOM.generateSeed(12));
        }

        @Override
        public void token(int tokenId) {
            context.runOnContext(v -> {   // decoding and writing stay off the batching thread
                text.add(tokenId);
                if (request.stream()) {
                    String piece = text.piece();
                    if (!piece.isEmpty()) {
                        send(chunk(piece, null));
                    }
                }
            });
        }

        @Override
        public void finished(String finishReason, String stopString) {
            context.runOnContext(v -> {
                String rest = text.finish(stopString);
                String whole = text.whole(stopString);
                HttpServerResponse response = ctx.response();
                if (response.closed()) {
                    return;
                }
                if (!request.stream()) {
                    ctx.json(body(whole, finishReason));
                    return;
                }
                if (!rest.isEmpty()) {
                    send(chunk(rest, null));
                }
                send(chunk(null, finishReason));
                if (request.includeUsage()) {
                    send(base(request.chat() ? "chat.completion.chunk" : "text_completion").put("choices", new JsonArray())
                            .put("usage", usage()));
                }
                response.end("data: [DONE]\n\n");
            });
        }

        @Override
        public void failed(Throwable error) {
            context.runOnContext(v -> {
                if (!started) {
                    ctx.fail(error);
                } else if (!ctx.response().closed()) {
                    ServingException e = ServingErrors.toServing(error, 500);
                    ctx.response().end("data: " + ServingErrors.json(e).encode() + "\n\ndata: [DONE]\n\n");
                }
            });
        }

        private void send(JsonObject chunk) {
            HttpServerResponse response = ctx.response();
            if (response.closed()) {
                return;
            }
            if (!started) {
                started = true;
                response.setChunked(true).putHeader("content-type", "text/event-stream").putHeader("cache-control", "no-cache");
            }
            response.write("data: " + chunk.encode() + "\n\n");
        }

        /** A stream chunk with a text piece, or the last one with the finish reason. */
        private JsonObject chunk(String piece, String finishReason) {
            JsonObject choice = new JsonObject().put("index", 0);
            if (request.chat()) {
                JsonObject delta = new JsonObject();
                if (!started) {
                    delta.put("role", "assistant");
                }
                if (piece != null) {
                    delta.put("content", piece);
                }
                choice.put("delta", delta);
            } else {
                choice.put("text", piece == null ? "" : piece).put("logprobs", null);
            }
            choice.put("finish_reason", finishReason);
            return base(request.chat() ? "chat.completion.chunk" : "text_completion").put("choices", new JsonArray().add(choice));
        }

        private JsonObject body(String whole, String finishReason) {
            JsonObject choice = new JsonObject().put("index", 0);
            if (request.chat()) {
                choice.put("message", new JsonObject().put("role", "assistant").put("content", whole));
            } else {
                choice.put("text", whole).put("logprobs", null);
            }
            choice.put("finish_reason", finishReason);
            return base(request.chat() ? "chat.completion" : "text_completion").put("choices", new JsonArray().add(choice))
                    .put("usage", usage());
        }

        private JsonObject base(String object) {
            return new JsonObject().put("id", id).put("object", object).put("created", created).put("model", request.model());
        }

        private JsonObject usage() {
            return new JsonObject().put("prompt_tokens", promptTokens).put("completion_tokens", text.tokens())
                    .put("total_tokens", promptTokens + text.tokens());
        }
    }

    private void models(RoutingContext ctx) {
        List<CompletionBackend.ModelCard> cards = backend.models(tenantOf.apply(ctx));
        ctx.json(new JsonObject().put("object", "list").put("data", new JsonArray(cards.stream()
                .map(c -> new JsonObject().put("id", c.id()).put("object", "model").put("created", c.created())
                        .put("owned_by", "loraplane").put("root", c.parent() == null ? c.id() : c.parent()).put("parent", c.parent()))
                .toList())));
    }

    private void load(RoutingContext ctx) {
        JsonObject body = ctx.body().asJsonObject();
        String name = body == null ? null : body.getString("lora_name");
        String path = body == null ? null : body.getString("lora_path");
        if (name == null || name.isBlank()) {
            throw ServingException.invalid("lora_name", "lora_name must be a non-empty string");
        }
        if (path == null || path.isBlank()) {
            throw ServingException.invalid("lora_path", "lora_path must be the directory of a PEFT adapter");
        }
        vertx.executeBlocking(() -> {
            backend.loadAdapter(name, Path.of(path));
            return null;
        }).onSuccess(v -> ctx.response().setStatusCode(200).putHeader("content-type", "text/plain")
                .end("Success: LoRA adapter '" + name + "' added successfully."))
                .onFailure(ctx::fail);
    }

    private void unload(RoutingContext ctx) {
        JsonObject body = ctx.body().asJsonObject();
        String name = body == null ? null : body.getString("lora_name");
        if (name == null || name.isBlank()) {
            throw ServingException.invalid("lora_name", "lora_name must be a non-empty string");
        }
        if (!backend.unloadAdapter(name)) {
            throw new ServingException(404, "invalid_request_error", "model_not_found", "lora_name",
                    "The LoRA adapter '" + name + "' is not loaded", 0);
        }
        ctx.response().setStatusCode(200).putHeader("content-type", "text/plain")
                .end("Success: LoRA adapter '" + name + "' removed successfully.");
    }
}
