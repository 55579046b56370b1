package dev.loraplane.app.client;

import com.fasterxml.jackson.databind.JsonNode;

/** The control plane refused a request; the message is its error message, with the field it names. */
public final class ApiError extends IllegalArgumentException {

    private final int status;

    ApiError(int status, JsonNode body) {
        super(describe(status, body));
        this.status = status;
    }

    public int status() {
        return status;
    }

    private static String describe(int status, JsonNode body) {
        JsonNode error = body.path("error");
        String message = error.path("message").asText("HTTP " + status);
        String param = error.path("param").isTextual() ? " (" + error.path("param").asText() + ")" : "";
        return message + param;
    }
}
