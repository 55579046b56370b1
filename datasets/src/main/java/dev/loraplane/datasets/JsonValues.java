package dev.loraplane.datasets;

import com.fasterxml.jackson.databind.JsonNode;

/** How problem messages show a JSON value: strings quoted (and shortened), other values by type. */
final class JsonValues {

    private static final int SHOWN_CHARS = 40;

    private JsonValues() {}

    /** {@code 'assitant'} for a string, {@code a number} for anything else. */
    static String show(JsonNode value) {
        if (!value.isTextual()) {
            return describe(value);
        }
        String text = value.textValue();
        return "'" + (text.length() > SHOWN_CHARS ? text.substring(0, SHOWN_CHARS) + "…" : text) + "'";
    }

    /** The JSON type of a value, as a noun phrase: {@code a string}, {@code a list}, {@code null}. */
    static String describe(JsonNode value) {
        if (value.isNull()) {
            return "null";
        }
        if (value.isTextual()) {
            return "a string";
        }
        if (value.isNumber()) {
            return "a number (" + value + ")";
        }
        if (value.isBoolean()) {
            return "a boolean (" + value + ")";
        }
        if (value.isArray()) {
            return "a list";
        }
        return value.isObject() ? "an object" : value.getNodeType().name().toLowerCase();
    }
}
