package dev.loraplane.datasets;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The four JSONL training-file formats. A file holds one format throughout; it is named
 * explicitly or detected from the field names of the first JSON object that has any of them.
 */
public enum DatasetFormat {
    /** OpenAI chat: {@code {"messages": [{"role", "content", "weight"?}, …]}}. */
    CHAT("chat", "messages"),
    /** {@code {"prompt", "completion"}}. */
    COMPLETION("completion", "prompt/completion"),
    /** Stanford Alpaca: {@code {"instruction", "input"?, "output"}}. */
    ALPACA("alpaca", "instruction/input/output"),
    /** Plain text for continued pre-training: {@code {"text"}}. */
    TEXT("text", "text");

    private final String wireName;
    private final String fields;

    DatasetFormat(String wireName, String fields) {
        this.wireName = wireName;
        this.fields = fields;
    }

    /** The name in APIs and configuration: {@code chat}, {@code completion}, {@code alpaca}, {@code text}. */
    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** The field names that mark this format, for messages: e.g. {@code prompt/completion}. */
    public String fields() {
        return fields;
    }

    /** The format a name denotes, e.g. from a job request. */
    public static DatasetFormat fromWireName(String name) {
        for (DatasetFormat format : values()) {
            if (format.wireName.equals(name)) {
                return format;
            }
        }
        String known = Arrays.stream(values()).map(DatasetFormat::wireName).collect(Collectors.joining(", "));
        throw new IllegalArgumentException("unknown dataset format '" + name + "'; expected one of " + known);
    }

    /**
     * The format a record's field names mark, or empty when none does: {@code messages} marks chat,
     * {@code prompt} or {@code completion} marks completion, {@code instruction} or {@code output}
     * marks Alpaca, {@code text} marks text, tried in that order.
     */
    static Optional<DatasetFormat> detect(JsonNode record) {
        if (record.has("messages")) {
            return Optional.of(CHAT);
        }
        if (record.has("prompt") || record.has("completion")) {
            return Optional.of(COMPLETION);
        }
        if (record.has("instruction") || record.has("output")) {
            return Optional.of(ALPACA);
        }
        if (record.has("text")) {
            return Optional.of(TEXT);
        }
        return Optional.empty();
    }
}
