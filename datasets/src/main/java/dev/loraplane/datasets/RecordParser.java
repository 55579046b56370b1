package dev.loraplane.datasets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Parses the lines of one file into examples, fixing the file's format on the first record that
 * has the fields of one (unless it was named) and reporting a record of another format as
 * {@code mixed_formats}.
 */
final class RecordParser {

    /**
     * @param example the example, or null when there are problems
     * @param problems every problem of the line
     */
    record Result(Example example, List<Problem> problems) {}

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private DatasetFormat format;
    private final String formatOrigin;
    private long detectedOn;

    /** @param format the file's format, or null to detect it */
    RecordParser(DatasetFormat format) {
        this.format = format;
        this.formatOrigin = format == null ? null : "named for the file";
    }

    /** The file's format: named, detected, or null while no record has shown one. */
    DatasetFormat format() {
        return format;
    }

    Result parse(long line, String text) {
        List<Problem> problems = new ArrayList<>();
        JsonNode record;
        try {
            record = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String reason = e.getOriginalMessage().startsWith("Trailing token")
                    ? "another JSON value follows the first; put one object on each line"
                    : e.getOriginalMessage().replaceAll("\\s*\\(start marker at \\[Source: .*?]\\)", "")
                            .replaceAll("\\s+", " ");
            problems.add(Problem.at(line, null, ProblemCode.INVALID_JSON,
                    "invalid JSON at column " + e.getLocation().getColumnNr() + ": " + reason));
            return new Result(null, problems);
        }
        if (!record.isObject()) {
            problems.add(Problem.at(line, null, ProblemCode.DATA_TYPE,
                    "the line is " + JsonValues.describe(record) + "; expected a JSON object"));
            return new Result(null, problems);
        }
        Optional<DatasetFormat> marked = DatasetFormat.detect(record);
        if (format == null && marked.isEmpty()) {
            problems.add(Problem.at(line, null, ProblemCode.UNKNOWN_FORMAT, "no field names a training format (found "
                    + fieldNames(record) + "); expected messages, prompt/completion, instruction/input/output or text"));
            return new Result(null, problems);
        }
        if (format == null) {
            format = marked.get();
            detectedOn = line;
        }
        if (marked.isPresent() && marked.get() != format) {
            problems.add(Problem.at(line, null, ProblemCode.MIXED_FORMATS, "the record has " + marked.get().wireName()
                    + " fields (" + marked.get().fields() + ") but the file is " + format.wireName() + " ("
                    + (formatOrigin != null ? formatOrigin : "detected on line " + detectedOn) + ")"));
            return new Result(null, problems);
        }
        Example example = format == DatasetFormat.CHAT ? ChatRecords.parse(line, record, problems)
                : FieldRecords.parse(format, line, record, problems);
        return new Result(example, problems);
    }

    private static String fieldNames(JsonNode record) {
        if (record.isEmpty()) {
            return "no fields";
        }
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = record.fieldNames(); it.hasNext() && names.size() < 5; ) {
            names.add(it.next());
        }
        return "fields " + String.join(", ", names) + (record.size() > names.size() ? ", …" : "");
    }
}
