package dev.loraplane.orchestrator.api;

import dev.loraplane.orchestrator.agent.UnknownAgentException;
import dev.loraplane.orchestrator.evals.InvalidEvalException;
import dev.loraplane.orchestrator.store.FileInUseException;
import dev.loraplane.orchestrator.store.JobStateException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place failures become HTTP responses, in OpenAI's error shape. Known failures keep their
 * status and say what to fix; anything else is a 500 that names no internals (the log has the trace).
 */
public final class ApiErrors {

    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

    private ApiErrors() {}

    /** The router's failure handler. */
    public static void handle(RoutingContext ctx) {
        ApiException error = toApi(ctx.failure(), ctx.statusCode());
        if (error.status() >= 500) {
            LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
        }
        JsonObject body = new JsonObject().put("message", error.getMessage()).put("type", error.type())
                .put("code", error.code()).put("param", error.param());
        ctx.response().setStatusCode(error.status()).putHeader("content-type", "application/json")
                .end(new JsonObject().put("error", body).encode());
    }

    static ApiException toApi(Throwable failure, int status) {
        if (failure instanceof ApiException api) {
            return api;
        }
        if (failure instanceof FileInUseException | failure instanceof JobStateException) {
            return new ApiException(409, "invalid_request_error", "conflict", null, failure.getMessage());
        }
        if (failure instanceof InvalidEvalException eval) {
            return ApiException.invalid(eval.param(), eval.code(), eval.getMessage());
        }
        if (failure instanceof UnknownAgentException) {
            return new ApiException(404, "invalid_request_error", "unknown_agent", "agent", failure.getMessage());
        }
        if (failure instanceof DecodeException) {
            return ApiException.invalid(null, "invalid_json", "the request body is not valid JSON: " + failure.getMessage());
        }
        int code = failure instanceof HttpException http ? http.getStatusCode() : status;
        return switch (code) {
            case 401 -> new ApiException(401, "invalid_request_error", "invalid_api_key", null,
                    "missing or unknown API key: send Authorization: Bearer <key>");
            case 404 -> new ApiException(404, "invalid_request_error", "not_found", null, "no such route");
            case 405 -> new ApiException(405, "invalid_request_error", "method_not_allowed", null, "method not allowed on this route");
            case 413 -> new ApiException(413, "invalid_request_error", "request_too_large", "file",
                    "the request body is over the size limit");
            default -> new ApiException(500, "server_error", "internal_error", null, "internal error; the server log has the details");
        };
    }
}
