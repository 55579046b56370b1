package dev.loraplane.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetReaderTest {

    private static List<NumberedExample> read(String text, DatasetFormat format) {
        List<NumberedExample> examples = new ArrayList<>();
        DatasetReader.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), format, examples::add);
        return examples;
    }

    @Test
    void eachFormatReadsIntoItsRecordWithItsLineNumber() {
        assertThat(read("{\"messages\": [{\"role\": \"system\", \"content\": \"s\"}, {\"role\": \"user\", \"content\": \"u\","
                + " \"name\": \"ann\"}, {\"role\": \"assistant\", \"content\": \"a\", \"weight\": 0},"
                + " {\"role\": \"assistant\", \"content\": \"b\"}]}\n", null))
                .containsExactly(new NumberedExample(1, new ChatExample(List.of(Message.system("s"), Message.user("u"),
                        new Message(Role.ASSISTANT, "a", false), Message.assistant("b")))));
        assertThat(read("\n{\"prompt\": \"p\", \"completion\": \"c\", \"id\": 7}\n", null))
                .containsExactly(new NumberedExample(2, new CompletionExample("p", "c")));
        assertThat(read("{\"instruction\": \"i\", \"output\": \"o\"}\n{\"instruction\": \"i\", \"input\": \"x\", \"output\": \"o\"}",
                DatasetFormat.ALPACA))
                .extracting(NumberedExample::example)
                .containsExactly(new AlpacaExample("i", "", "o"), new AlpacaExample("i", "x", "o"));
        assertThat(read("{\"text\": \"t\"}", null)).extracting(NumberedExample::example).containsExactly(new TextExample("t"));
    }

    @Test
    void theFirstProblemStopsTheReadAndNamesItsLine() {
        assertThatThrownBy(() -> read("{\"text\": \"t\"}\n{\"text\": 5}\n{\"text\": []}\n", null))
                .isInstanceOf(DatasetException.class)
                .hasMessageStartingWith("line 2: text is a number (5); expected a string (invalid_type; ")
                .satisfies(e -> assertThat(((DatasetException) e).problem()).get()
                        .extracting(Problem::line, Problem::field).containsExactly(2L, "text"));
    }

    @Test
    void aFileWithoutExamplesIsRefused() {
        assertThatThrownBy(() -> read("\n\n", null)).isInstanceOf(DatasetException.class)
                .hasMessageStartingWith("the file has no examples (empty_file; ");
    }
}
