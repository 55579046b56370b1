package dev.loraplane.orchestrator.api;

import io.vertx.core.json.JsonObject;

/** Fields of a JSON request body, read or refused with an error naming the parameter. */
final class RequestFields {

    private RequestFields() {}

    /**
     * @param param the parameter's name in errors, e.g. {@code variants[1].model}
     * @return the non-empty string, or null when it is absent and not required
     */
    static String string(JsonObject body, String field, String param, boolean required) {
        Object value = body.getValue(field);
        if (value == null) {
            if (required) {
                throw ApiException.invalid(param, "missing_required_parameter", param + " is required");
            }
            return null;
        }
        if (!(value instanceof String s) || s.isBlank()) {
            throw ApiException.invalid(param, "invalid_type", param + " must be a non-empty string, got " + value);
        }
        return s;
    }
}
