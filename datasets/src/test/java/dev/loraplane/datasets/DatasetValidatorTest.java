package dev.loraplane.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.loraplane.datasets.encode.ChatMl;
import dev.loraplane.datasets.encode.ExampleEncoder;
import dev.loraplane.datasets.encode.FakeTokenizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DatasetValidatorTest {

    private static final String GOOD = "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"},"
            + " {\"role\": \"assistant\", \"content\": \"Hello.\"}]}";

    private static final ExampleEncoder ENCODER = ExampleEncoder.builder().setTokenizer(new FakeTokenizer(true))
            .optChatRenderer(new ChatMl()).setMaxTokens(200).build();

    private static ValidationReport validate(String resource, DatasetValidator validator) throws IOException {
        try (InputStream in = DatasetValidatorTest.class.getResourceAsStream("/validation/" + resource + ".jsonl")) {
            return validator.validate(in);
        }
    }

    private static ValidationReport validate(String text) {
        return DatasetValidator.builder().optMinExamples(1).build()
                .validate(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(nullValues = "-", value = {
        "invalid_utf8,                      2, -",
        "invalid_json,                      2, -",
        "data_type,                         3, -",
        "unknown_format,                    1, -",
        "mixed_formats,                     3, -",
        "missing_messages_list,             2, messages",
        "message_missing_key,               2, messages[1].role",
        "message_unrecognized_key,          1, messages[1].tool_calls",
        "unrecognized_role,                 5, messages[1].role",
        "missing_content,                   2, messages[0].content",
        "invalid_weight,                    2, messages[1].weight",
        "example_missing_assistant_message, 3, messages",
        "missing_field,                     2, completion",
        "invalid_type,                      2, input",
        "example_too_long,                  2, -",
        "too_few_examples,                  0, -",
        "empty_file,                        0, -",
    })
    void eachProblemCodeComesOutOfItsFileWithItsLineAndField(String code, long line, String field) throws IOException {
        DatasetValidator validator = DatasetValidator.builder()
                .optMinExamples(code.equals("too_few_examples") ? DatasetValidator.DEFAULT_MIN_EXAMPLES : 1)
                .optTokenLimit(ENCODER::countTokens, ENCODER.maxTokens())
                .build();

        ValidationReport report = validate(code, validator);

        assertThat(report.problems()).extracting(p -> p.code().code(), Problem::line, Problem::field)
                .containsExactly(tuple(code, line, field));
        assertThat(report.problemCount()).isEqualTo(1);
        assertThat(report.valid()).isFalse();
        assertThat(report.problems().get(0).message()).startsWith(line > 0 ? "line " + line + ": " : "the file has");
        assertThat(report.problems().get(0).hint()).isNotBlank();
    }

    @Test
    void messagesNameTheLineTheFieldTheBadValueAndTheChoices() throws IOException {
        ValidationReport report = validate("unrecognized_role", DatasetValidator.builder().optMinExamples(1).build());

        assertThat(report.problems().get(0).message())
                .isEqualTo("line 5: messages[1].role is 'assitant'; expected one of system, user, assistant");
        assertThat(report.summary()).contains("5 examples (chat), 4 valid; 1 problem",
                "line 5: messages[1].role is 'assitant'", "[unrecognized_role] — use role system, user or assistant");
    }

    @Test
    void aChatFileForAModelWithoutAChatTemplateCannotBeEncoded() {
        ExampleEncoder noTemplate = ExampleEncoder.builder().setTokenizer(new FakeTokenizer(true)).setMaxTokens(200).build();

        ValidationReport report = DatasetValidator.builder().optMinExamples(1)
                .optTokenLimit(noTemplate::countTokens, 200).build()
                .validate(new ByteArrayInputStream((GOOD + "\n").getBytes(StandardCharsets.UTF_8)));

        assertThat(report.problems()).extracting(Problem::code, Problem::line)
                .containsExactly(tuple(ProblemCode.ENCODING_FAILED, 1L));
        assertThat(report.problems().get(0).message()).contains("line 1: chat examples need the base model's chat template");
    }

    @Test
    void aTenThousandLineFileWithThreeBadLinesReportsExactlyThoseLines(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("big.jsonl");
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int line = 1; line <= 10_000; line++) {
                String text = switch (line) {
                    case 17 -> GOOD.replace("\"assistant\"", "\"assitant\"");
                    case 4242 -> GOOD.substring(0, GOOD.length() - 1);
                    case 9999 -> GOOD.replace("Hi", "caf?");
                    default -> GOOD.replace("Hello.", "Hello number " + line + ".");
                };
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                if (line == 9999) {
                    bytes[text.indexOf('?')] = (byte) 0xE9; // Latin-1 é: not UTF-8
                }
                out.write(bytes);
                out.write('\n');
            }
        }

        ValidationReport report = DatasetValidator.builder().build().validate(file);

        assertThat(report.problems()).extracting(Problem::line).containsExactly(17L, 4242L, 9999L);
        assertThat(report.problems()).extracting(Problem::code).containsExactly(ProblemCode.UNRECOGNIZED_ROLE,
                ProblemCode.INVALID_JSON, ProblemCode.INVALID_UTF8);
        assertThat(report.examples()).isEqualTo(10_000);
        assertThat(report.validExamples()).isEqualTo(9_997);
        assertThat(report.format()).isEqualTo(DatasetFormat.CHAT);
    }

    @Test
    void everyProblemIsCountedButOnlyTheFirstHundredAreKept() {
        StringBuilder file = new StringBuilder();
        for (int line = 1; line <= 300; line++) {
            file.append(line % 2 == 0 ? GOOD : "{broken").append('\n');
        }

        ValidationReport report = validate(file.toString());

        assertThat(report.problems()).hasSize(100);
        assertThat(report.problems().get(99).line()).isEqualTo(199);
        assertThat(report.problemCount()).isEqualTo(150);
        assertThat(report.omittedProblems()).isEqualTo(50);
        assertThat(report.summary()).contains("… and 50 more");
        assertThat(report.validExamples()).isEqualTo(150);
    }

    @Test
    void invalidJsonSaysWhereAndWhy() {
        ValidationReport report = validate("{\"text\": \"a\",}\n{\"text\": \"a\"} {\"text\": \"b\"}\n"
                + "{\"text\": \"a\", \"text\": \"b\"}\n");

        assertThat(report.problems()).extracting(Problem::message).containsExactly(
                "line 1: invalid JSON at column 14: Unexpected character ('}' (code 125)): was expecting double-quote"
                        + " to start field name",
                "line 2: invalid JSON at column 15: another JSON value follows the first; put one object on each line",
                "line 3: invalid JSON at column 21: Duplicate field 'text'");
    }

    @Test
    void everyProblemOfALineIsReported() {
        ValidationReport report = validate("{\"messages\": [{\"role\": \"bot\", \"content\": 3}, {\"content\": \"x\","
                + " \"weight\": 2}]}\n");

        assertThat(report.problems()).extracting(Problem::code, Problem::field).containsExactly(
                tuple(ProblemCode.UNRECOGNIZED_ROLE, "messages[0].role"),
                tuple(ProblemCode.MISSING_CONTENT, "messages[0].content"),
                tuple(ProblemCode.MESSAGE_MISSING_KEY, "messages[1].role"),
                tuple(ProblemCode.INVALID_WEIGHT, "messages[1].weight"));
    }

    @Test
    void weightIsOnlyForAssistantMessages() {
        ValidationReport report = validate("{\"messages\": [{\"role\": \"user\", \"content\": \"a\", \"weight\": 1},"
                + " {\"role\": \"assistant\", \"content\": \"b\", \"weight\": 0}]}\n");

        assertThat(report.problems()).extracting(Problem::message)
                .containsExactly("line 1: messages[0] is a user message; only assistant messages take a weight");
    }

    @Test
    void blankLinesCrlfAndAByteOrderMarkAreTolerated() {
        String text = "\uFEFF" + GOOD + "\r\n\r\n   \n" + "{\"prompt\": \"x\", \"completion\": \"y\"}";

        ValidationReport report = validate(text);

        assertThat(report.lines()).isEqualTo(4);
        assertThat(report.blankLines()).isEqualTo(2);
        assertThat(report.examples()).isEqualTo(2);
        assertThat(report.problems()).extracting(Problem::code, Problem::line)
                .containsExactly(tuple(ProblemCode.MIXED_FORMATS, 4L));
        assertThat(report.problems().get(0).message()).isEqualTo("line 4: the record has completion fields"
                + " (prompt/completion) but the file is chat (detected on line 1)");
    }

    @Test
    void aNamedFormatIsEnforcedFromTheFirstLine() {
        ValidationReport report = DatasetValidator.builder().optMinExamples(1).optFormat(DatasetFormat.TEXT).build()
                .validate(new ByteArrayInputStream((GOOD + "\n{\"text\": \"ok\"}\n").getBytes(StandardCharsets.UTF_8)));

        assertThat(report.problems()).extracting(Problem::message).containsExactly("line 1: the record has chat fields"
                + " (messages) but the file is text (named for the file)");
        assertThat(report.format()).isEqualTo(DatasetFormat.TEXT);
    }

    @Test
    void eachFormatValidatesItsOwnFields() {
        assertThat(validate("{\"instruction\": \"Add.\", \"output\": \"4\"}\n{\"instruction\": \" \", \"output\": \"4\"}\n")
                .problems()).extracting(Problem::message).containsExactly("line 2: instruction is blank; expected text to train on");
        assertThat(validate("{\"text\": \"a\"}\n{\"text\": null}\n").problems()).extracting(Problem::message)
                .containsExactly("line 2: text is null; expected a string");
        assertThat(validate("{\"prompt\": \"\", \"completion\": \"x\"}\n").valid()).isTrue();
    }

    @Test
    void withoutATokenizerLengthsAreNotCheckedAndTheReportSaysSo() throws IOException {
        ValidationReport report = validate("example_too_long", DatasetValidator.builder().optMinExamples(1).build());

        assertThat(report.valid()).isTrue();
        assertThat(report.notes()).singleElement().asString().contains("example_too_long", "no tokenizer");
        assertThat(report.summary()).contains("note: example lengths were not checked");
    }

    @Test
    void theReportSerializesToJsonWithWireNames() throws IOException {
        ValidationReport report = validate("unrecognized_role", DatasetValidator.builder().optMinExamples(1).build());

        String json = JsonMapper.builder().build().writeValueAsString(report);

        assertThat(json).contains("\"format\":\"chat\"", "\"code\":\"unrecognized_role\"", "\"line\":5",
                "\"field\":\"messages[1].role\"", "\"problemCount\":1");
    }
}
