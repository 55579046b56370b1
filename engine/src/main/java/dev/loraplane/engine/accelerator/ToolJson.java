package dev.loraplane.engine.accelerator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** JSON as the AMD tools print it: possibly after warning lines, numbers often as strings. */
final class ToolJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ToolJson() {}

    /**
     * The JSON document in a tool's output, read from its first line that opens an object or array;
     * lines before it (warnings, a blank line) are skipped.
     */
    static JsonNode read(String tool, String output) {
        int start = 0;
        for (String line : output.split("\n", -1)) {
            String stripped = line.stripLeading();
            if (stripped.startsWith("{") || stripped.startsWith("[")) {
                try {
                    return MAPPER.readTree(output.substring(start));
                } catch (JsonProcessingException e) {
                    throw new ToolOutputException(
                            tool + " printed JSON that does not parse: " + e.getOriginalMessage(), e);
                }
            }
            start += line.length() + 1;
        }
        throw new ToolOutputException(tool + " printed no JSON object or array: \"" + abbreviate(output) + "\"");
    }

    /**
     * A number in a node: a JSON number, a numeric string ("45.0"), or amd-smi's
     * {@code {"value": 34, "unit": "W"}}; {@code null} for "N/A", missing nodes and anything else.
     */
    static Double number(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isObject()) {
            return number(node.get("value"));
        }
        return node.isTextual() ? Readings.number(node.textValue()) : null;
    }

    /** A text node's value, or an empty string for a missing node and for "N/A". */
    static String text(JsonNode node) {
        if (node == null || !node.isValueNode() || node.isNull()) {
            return "";
        }
        String text = node.asText().strip();
        return text.equals("N/A") ? "" : text;
    }

    private static String abbreviate(String output) {
        String flat = output.strip().replaceAll("\\s+", " ");
        return flat.length() <= 120 ? flat : flat.substring(0, 120) + "…";
    }
}
