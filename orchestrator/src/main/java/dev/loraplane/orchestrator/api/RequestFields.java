package dev.loraplane.orchestrator.api;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Fields of a JSON request body, read or refused with an error naming the parameter. */
final class RequestFields {

    private RequestFields() {}

    /** The request's body, refused unless it is a JSON object. */
    static JsonObject body(RoutingContext ctx) {
        JsonObject body = ctx.body().asJsonObject();
        if (body == null) {
            throw ApiException.invalid(null, "invalid_json", "the request body must be a JSON object");
        }
        return body;
    }

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
