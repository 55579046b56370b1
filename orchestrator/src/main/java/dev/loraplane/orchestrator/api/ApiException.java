package dev.loraplane.orchestrator.api;

/**
 * A request the API refuses, carrying what OpenAI's error object says: {@code {"error": {"message",
 * "type", "code", "param"}}} with its HTTP status. {@link ApiErrors} is the one place that writes it.
 */
public final class ApiException extends RuntimeException {

    private final int status;
    private final String type;
    private final String code;
    private final String param;

    public ApiException(int status, String type, String code, String param, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
    }

    /** 400: the request names a bad value; {@code param} is the field. */
    public static ApiException invalid(String param, String code, String message) {
        return new ApiException(400, "invalid_request_error", code, param, message);
    }

    /** 404: no such object for this tenant (another tenant's object answers the same). */
    public static ApiException notFound(String what, String id, String param) {
        return new ApiException(404, "invalid_request_error", what.toLowerCase(java.util.Locale.ROOT) + "_not_found", param,
                "No such " + what + " object: " + id);
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
}
