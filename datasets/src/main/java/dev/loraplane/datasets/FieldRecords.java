package dev.loraplane.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** Checks a completion, Alpaca or text record and builds its example. */
final class FieldRecords {

    private FieldRecords() {}

    /** The example, or null when {@code problems} received at least one problem. */
    static Example parse(DatasetFormat format, long line, JsonNode record, List<Problem> problems) {
        int before = problems.size();
        Example example = switch (format) {
            case COMPLETION -> {
                String prompt = text(format, line, record, "prompt", Need.PRESENT, problems);
                String completion = text(format, line, record, "completion", Need.NON_BLANK, problems);
                yield prompt == null || completion == null ? null : new CompletionExample(prompt, completion);
            }
            case ALPACA -> {
                String instruction = text(format, line, record, "instruction", Need.NON_BLANK, problems);
                String input = text(format, line, record, "input", Need.OPTIONAL, problems);
                String output = text(format, line, record, "output", Need.NON_BLANK, problems);
                yield instruction == null || output == null ? null : new AlpacaExample(instruction, input, output);
            }
            case TEXT -> {
                String text = text(format, line, record, "text", Need.NON_BLANK, problems);
                yield text == null ? null : new TextExample(text);
            }
            case CHAT -> throw new IllegalArgumentException("chat records are parsed by ChatRecords");
        };
        return problems.size() == before ? example : null;
    }

    private enum Need { OPTIONAL, PRESENT, NON_BLANK }

    /** The field's string, "" for an absent optional field, or null after adding a problem. */
    private static String text(DatasetFormat format, long line, JsonNode record, String field, Need need,
            List<Problem> problems) {
        JsonNode value = record.get(field);
        if (value == null || (need == Need.OPTIONAL && value.isNull())) {
            if (need == Need.OPTIONAL) {
                return "";
            }
            problems.add(Problem.at(line, field, ProblemCode.MISSING_FIELD,
                    field + " is missing; every " + format.wireName() + " record needs one"));
            return null;
        }
        if (!value.isTextual()) {
            problems.add(Problem.at(line, field, ProblemCode.INVALID_TYPE,
                    field + " is " + JsonValues.describe(value) + "; expected a string"));
            return null;
        }
        if (need == Need.NON_BLANK && value.textValue().isBlank()) {
            problems.add(Problem.at(line, field, ProblemCode.MISSING_CONTENT,
                    field + " is " + (value.textValue().isEmpty() ? "empty" : "blank") + "; expected text to train on"));
            return null;
        }
        return value.textValue();
    }
}
