package dev.loraplane.serving.api;

import dev.loraplane.engine.lora.LoraException;
import dev.loraplane.serving.adapters.AdapterException;
import dev.loraplane.serving.adapters.RegistryUnavailableException;
import dev.loraplane.serving.adapters.UnknownAdapterException;
import dev.loraplane.serving.batch.QueueFullException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place serving failures become HTTP responses, in OpenAI's error shape. Known failures keep
 * their status and say what to fix; anything else is a 500 that names no internals.
 */
public final class ServingErrors {

    private static final Logger LOG = LoggerFactory.getLogger(ServingErrors.class);

    private ServingErrors() {}

    /** The router's failure handler for the serving routes. */
    public static void handle(RoutingContext ctx) {
        ServingException error = toServing(ctx.failure(), ctx.statusCode());
        if (error.status() == 503) {
            LOG.warn("{} {}: {}", ctx.request().method(), ctx.request().path(), ctx.failure().getMessage());   // expected; no trace
        } else if (error.status() >= 500) {
            LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
        }
        if (ctx.response().headWritten()) {
            ctx.response().end();   // a stream already under way: it just ends
            return;
        }
        if (error.retryAfterSeconds() > 0) {
            ctx.response().putHeader("Retry-After", Long.toString(error.retryAfterSeconds()));
        }
        ctx.response().setStatusCode(error.status()).putHeader("content-type", "application/json").end(json(error).encode());
    }

    /** OpenAI's error object for {@code error}. */
    public static JsonObject json(ServingException error) {
        return new JsonObject().put("error", new JsonObject().put("message", error.getMessage()).put("type", error.type())
                .put("code", error.code()).put("param", error.param()));
    }

    static ServingException toServing(Throwable failure, int status) {
        if (failure instanceof ServingException serving) {
            return serving;
        }
        if (failure instanceof UnknownAdapterException unknown) {
            return ServingException.unknownModel(unknown.adapter());
        }
        if (failure instanceof AdapterException | failure instanceof LoraException) {
            return ServingException.invalid("model", failure.getMessage());
        }
        if (failure instanceof QueueFullException) {
            return ServingException.overloaded(QueueFullException.retryAfterSeconds());
        }
        if (failure instanceof RegistryUnavailableException) {
            return ServingException.registryUnavailable(RegistryUnavailableException.retryAfterSeconds());
        }
        if (failure instanceof DecodeException) {
            return new ServingException(400, "invalid_request_error", "invalid_json", null,
                    "The request body is not valid JSON: " + failure.getMessage(), 0);
        }
        int code = failure instanceof HttpException http ? http.getStatusCode() : status;
        return switch (code) {
            case 401 -> new ServingException(401, "invalid_request_error", "invalid_api_key", null,
                    "Missing or unknown API key: send Authorization: Bearer <key>", 0);
            case 404 -> new ServingException(404, "invalid_request_error", "not_found", null, "No such route", 0);
            case 405 -> new ServingException(405, "invalid_request_error", "method_not_allowed", null, "Method not allowed", 0);
            case 413 -> new ServingException(400, "invalid_request_error", "request_too_large", "body",
                    "The request body is over the server's size limit", 0);
            default -> new ServingException(500, "server_error", "internal_error", null,
                    "Internal error; the server log has the details", 0);
        };
    }
}
