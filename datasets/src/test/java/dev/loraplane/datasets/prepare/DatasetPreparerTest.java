package dev.loraplane.datasets.prepare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.loraplane.datasets.DatasetException;
import dev.loraplane.datasets.DatasetFormat;
import dev.loraplane.datasets.ProblemCode;
import dev.loraplane.datasets.encode.ChatMl;
import dev.loraplane.datasets.encode.ExampleEncoder;
import dev.loraplane.datasets.encode.FakeTokenizer;
import dev.loraplane.datasets.encode.Overflow;
import dev.loraplane.datasets.pack.PackedSequence;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetPreparerTest {

    @TempDir
    Path dir;

    private static final String LONG = "a".repeat(40);

    private Path file(String name, String... lines) throws IOException {
        return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
    }

    private static String completion(String prompt, String completion) {
        return "{\"prompt\": \"" + prompt + "\", \"completion\": \"" + completion + "\"}";
    }

    private static ExampleEncoder encoder(int maxTokens, Overflow overflow) {
        return ExampleEncoder.builder().setTokenizer(new FakeTokenizer(true)).setMaxTokens(maxTokens)
                .optOverflow(overflow).build();
    }

    private Path mixedLengths() throws IOException {
        return file("train.jsonl",
                completion("", "abc"),        // <s>abc</s>: 5 tokens, 4 trained
                completion("", LONG),         // 42 tokens, truncated to 32, 31 trained
                completion(LONG, "x"),        // 43 tokens, the completion cut off: nothing to train on
                completion("hi", "there"));   // <s>hithere</s>: 9 tokens, 6 trained
    }

    @Test
    void statsCountExamplesTokensTrainedTokensTruncationAndPacking() throws IOException {
        PreparedDataset data = DatasetPreparer.builder().setEncoder(encoder(32, Overflow.TRUNCATE)).build()
                .prepare(mixedLengths(), null);

        DatasetStats stats = data.trainStats();
        assertThat(data.format()).isEqualTo(DatasetFormat.COMPLETION);
        assertThat(stats).isEqualTo(new DatasetStats(4, 3, 1, 0, 1, 46, 41, 2, 18, stats.lengths()));
        assertThat(stats.lengths().min()).isEqualTo(5);
        assertThat(stats.lengths().max()).isEqualTo(43);
        assertThat(stats.lengths().buckets()).extracting(LengthHistogram.Bucket::count)
                .containsExactly(0L, 1L, 1L, 0L, 0L, 0L, 0L, 0L, 2L);
        assertThat(data.train()).extracting(PackedSequence::used).containsExactlyInAnyOrder(32, 14);
        assertThat(data.train().stream().mapToInt(PackedSequence::targetCount).sum()).isEqualTo(41);
        assertThat(data.validation()).isEmpty();
        assertThat(data.validationStats().examples()).isZero();
    }

    @Test
    void droppingCountsTheOverLongExamples() throws IOException {
        DatasetStats stats = DatasetPreparer.builder().setEncoder(encoder(32, Overflow.DROP)).build()
                .prepare(mixedLengths(), null).trainStats();

        assertThat(stats.keptExamples()).isEqualTo(2);
        assertThat(stats.droppedTooLong()).isEqualTo(2);
        assertThat(stats.truncated()).isZero();
        assertThat(stats.tokens()).isEqualTo(14);
    }

    @Test
    void aFractionSplitsOffValidationExamplesBySeed() throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            lines.add("{\"text\": \"" + "t".repeat(i) + "\"}");
        }
        Path train = file("train.jsonl", lines.toArray(String[]::new));
        DatasetPreparer preparer = DatasetPreparer.builder().setEncoder(encoder(64, Overflow.TRUNCATE))
                .optValidationFraction(0.25).optSeed(3).optPacking(false).build();

        PreparedDataset first = preparer.prepare(train, null);
        PreparedDataset again = preparer.prepare(train, null);
        PreparedDataset otherSeed = DatasetPreparer.builder().setEncoder(encoder(64, Overflow.TRUNCATE))
                .optValidationFraction(0.25).optSeed(4).optPacking(false).build().prepare(train, null);

        assertThat(first.trainStats().examples()).isEqualTo(30);
        assertThat(first.validationStats().examples()).isEqualTo(10);
        assertThat(first.train()).hasSize(30);
        assertThat(first.validation()).hasSize(10);
        assertThat(first.trainStats().tokens() + first.validationStats().tokens()).isEqualTo(40 * 41 / 2 + 40 * 2);
        assertThat(lengths(again.train())).isEqualTo(lengths(first.train()));
        assertThat(lengths(again.validation())).isEqualTo(lengths(first.validation())).isSorted();
        assertThat(lengths(otherSeed.validation())).isNotEqualTo(lengths(first.validation()));
        assertThat(lengths(first.train())).as("shuffled").isNotEqualTo(lengths(first.train()).stream().sorted().toList());
    }

    @Test
    void aValidationFileIsUsedWhole() throws IOException {
        Path train = file("train.jsonl", completion("a", "b"), completion("c", "d"), completion("e", "f"));
        Path validation = file("validation.jsonl", completion("g", "h"));

        PreparedDataset data = DatasetPreparer.builder().setEncoder(encoder(16, Overflow.TRUNCATE))
                .optValidationFraction(0.5).build().prepare(train, validation);

        assertThat(data.trainStats().examples()).isEqualTo(3);
        assertThat(data.validationStats().examples()).isEqualTo(1);
        assertThat(FakeTokenizer.decode(data.validation().get(0).tokens())).startsWith("<s>gh</s>·");
    }

    @Test
    void aLineThatCannotBeEncodedStopsPreparationNamingTheLine() throws IOException {
        Path chat = file("chat.jsonl", "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"},"
                + " {\"role\": \"assistant\", \"content\": \"Hello.\"}]}");

        assertThatThrownBy(() -> DatasetPreparer.builder().setEncoder(encoder(32, Overflow.TRUNCATE)).build()
                .prepare(chat, null))
                .isInstanceOf(DatasetException.class)
                .hasMessageStartingWith("line 1: chat examples need the base model's chat template")
                .satisfies(e -> assertThat(((DatasetException) e).problem()).get()
                        .extracting(p -> p.code()).isEqualTo(ProblemCode.ENCODING_FAILED));
    }

    @Test
    void chatFilesPackWithTheirAssistantMasks() throws IOException {
        Path chat = file("chat.jsonl", "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"},"
                + " {\"role\": \"assistant\", \"content\": \"Yo\"}]}");
        ExampleEncoder encoder = ExampleEncoder.builder().setTokenizer(new FakeTokenizer(false))
                .optChatRenderer(new ChatMl()).setMaxTokens(64).build();

        PackedSequence row = DatasetPreparer.builder().setEncoder(encoder).build().prepare(chat, null).train().get(0);

        assertThat(FakeTokenizer.decodeSelected(row.tokens(), row.lossMask())).isEqualTo("Yo<|im_end|>\n");
    }

    @Test
    void statsSerializeToJson() throws IOException {
        DatasetStats stats = DatasetPreparer.builder().setEncoder(encoder(32, Overflow.TRUNCATE)).build()
                .prepare(mixedLengths(), null).trainStats();

        String json = JsonMapper.builder().build().writeValueAsString(stats);

        assertThat(json).startsWith("{\"examples\":4,\"keptExamples\":3,\"truncated\":1,\"droppedTooLong\":0,"
                + "\"droppedNoTargets\":1,\"tokens\":46,\"trainedTokens\":41,\"sequences\":2,\"paddingTokens\":18,"
                + "\"lengths\":{\"min\":5,\"max\":43,\"mean\":24.75,\"buckets\":[{\"from\":1,\"to\":4,\"count\":0},");
    }

    private static List<Integer> lengths(List<PackedSequence> rows) {
        return rows.stream().map(PackedSequence::used).toList();
    }
}
