package dev.loraplane.serving.api;

import java.util.Locale;

/**
 * A request the server refuses, carrying OpenAI's error object — {@code {"error": {"message", "type",
 * "code", "param"}}} — and its HTTP status. {@link ServingErrors} is the one place that writes it.
 */
public final class ServingException extends RuntimeException {

    private final int status;
    private final String type;
    private final String code;
    private final String param;
    private final long retryAfterSeconds;

    public ServingException(int status, String type, String code, String param, String message, long retryAfterSeconds) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 400: a bad value; {@code param} names the field. */
    public static ServingException invalid(String param, String message) {
        return new ServingException(400, "invalid_request_error", "invalid_value", param, message, 0);
    }

    /** 404: no base model or adapter of this name. */
    public static ServingException unknownModel(String model) {
        return new ServingException(404, "invalid_request_error", "model_not_found", "model",
                "The model '" + model + "' does not exist: it is neither the base model nor an adapter known here", 0);
    }

    /** 429: the queue is full; try again after {@code seconds}. */
    public static ServingException overloaded(long seconds) {
        return new ServingException(429, "rate_limit_error", "server_overloaded", null, String.format(Locale.ROOT,
                "The server is busy: its request queue is full. Retry after %d s.", seconds), seconds);
    }

    /** 503: the adapter registry cannot be asked now; try again after {@code seconds}. */
    public static ServingException registryUnavailable(long seconds) {
        return new ServingException(503, "server_error", "registry_unavailable", null, String.format(Locale.ROOT,
                "The adapter registry cannot be reached to resolve this adapter. Retry after %d s.", seconds), seconds);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String code() {
        return code;
    }

    public String param() {
        return param;
    }

    /** Seconds for a {@code Retry-After} header; 0 for none. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
