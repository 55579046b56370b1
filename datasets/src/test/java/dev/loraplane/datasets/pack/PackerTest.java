package dev.loraplane.datasets.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.loraplane.datasets.encode.EncodedExample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PackerTest {

    private static final int PAD = 0;

    /** Example {@code id} of {@code length} tokens, all {@code id}, trained after the first. */
    private static EncodedExample example(int id, int length) {
        int[] tokens = new int[length];
        boolean[] mask = new boolean[length];
        Arrays.fill(tokens, id);
        Arrays.fill(mask, true);
        mask[0] = false;
        return new EncodedExample(tokens, mask, length, EncodedExample.Fit.WHOLE);
    }

    private static List<EncodedExample> randomExamples(int count, int maxLength, long seed) {
        Random random = new Random(seed);
        List<EncodedExample> examples = new ArrayList<>();
        for (int id = 1; id <= count; id++) {
            examples.add(example(id, 1 + random.nextInt(maxLength)));
        }
        return examples;
    }

    @Test
    void positionsAndSegmentsNeverCrossExamples() {
        List<EncodedExample> examples = randomExamples(500, 64, 1);

        List<PackedSequence> rows = new Packer(64, PAD, true).pack(examples);

        Map<Integer, Integer> seen = new HashMap<>();
        for (PackedSequence row : rows) {
            assertThat(row.length()).isEqualTo(64);
            int segment = 0;
            for (int i = 0; i < row.length(); i++) {
                if (i >= row.used()) {
                    assertThat(row.tokens()[i]).isEqualTo(PAD);
                    assertThat(row.segments()[i]).isZero();
                    assertThat(row.positions()[i]).isZero();
                    assertThat(row.lossMask()[i]).isFalse();
                    continue;
                }
                boolean starts = i == 0 || row.segments()[i] != row.segments()[i - 1];
                if (starts) {
                    assertThat(row.segments()[i]).isEqualTo(++segment);
                    assertThat(row.positions()[i]).isZero();
                    assertThat(row.lossMask()[i]).isFalse();
                    seen.merge(row.tokens()[i], 1, Integer::sum);
                } else {
                    assertThat(row.positions()[i]).isEqualTo(row.positions()[i - 1] + 1);
                    assertThat(row.tokens()[i]).as("one example per segment").isEqualTo(row.tokens()[i - 1]);
                }
            }
            assertThat(row.exampleCount()).isEqualTo(segment);
        }
        assertThat(seen).hasSize(500).allSatisfy((id, times) -> assertThat(times).isEqualTo(1));
        int totalTokens = examples.stream().mapToInt(EncodedExample::length).sum();
        assertThat(rows.stream().mapToInt(PackedSequence::used).sum()).isEqualTo(totalTokens);
        assertThat((double) totalTokens / (rows.size() * 64)).as("rows filled by best fit").isGreaterThan(0.95);
    }

    @Test
    void labelsAreTheNextTokenOfTheSameExampleOnly() {
        int[] a = {10, 11, 12};
        int[] b = {20, 21};
        List<PackedSequence> rows = new Packer(8, PAD, true).pack(List.of(
                new EncodedExample(a, new boolean[] {false, false, true}, 3, EncodedExample.Fit.WHOLE),
                new EncodedExample(b, new boolean[] {true, true}, 2, EncodedExample.Fit.WHOLE)));

        PackedSequence row = rows.get(0);
        assertThat(row.tokens()).containsExactly(10, 11, 12, 20, 21, PAD, PAD, PAD);
        assertThat(row.lossMask()).containsExactly(false, false, true, false, true, false, false, false);
        assertThat(row.positions()).containsExactly(0, 1, 2, 0, 1, 0, 0, 0);
        assertThat(row.segments()).containsExactly(1, 1, 1, 2, 2, 0, 0, 0);
        int ignore = PackedSequence.IGNORE_INDEX;
        assertThat(row.labels()).containsExactly(ignore, 12, ignore, 21, ignore, ignore, ignore, ignore);
        assertThat(row.targetCount()).isEqualTo(2);
    }

    @Test
    void bestFitPutsAnExampleInTheFullestRowThatHoldsIt() {
        List<PackedSequence> rows = new Packer(10, PAD, true).pack(List.of(
                example(1, 6), example(2, 8), example(3, 2), example(4, 4), example(5, 3)));

        assertThat(rows).extracting(row -> Arrays.toString(Arrays.copyOf(row.tokens(), row.used())))
                .containsExactly("[1, 1, 1, 1, 1, 1, 4, 4, 4, 4]", "[2, 2, 2, 2, 2, 2, 2, 2, 3, 3]", "[5, 5, 5]");
    }

    @Test
    void withoutPackingEachExampleHasItsOwnRow() {
        List<PackedSequence> rows = new Packer(10, PAD, false).pack(List.of(example(1, 2), example(2, 3)));

        assertThat(rows).extracting(PackedSequence::exampleCount, PackedSequence::used)
                .containsExactly(tuple(1, 2), tuple(1, 3));
    }

    @Test
    void droppedExamplesAreSkippedAndOverLongOnesRefused() {
        EncodedExample dropped = new EncodedExample(new int[0], new boolean[0], 99, EncodedExample.Fit.TOO_LONG);

        assertThat(new Packer(10, PAD, true).pack(List.of(dropped, example(1, 3)))).singleElement()
                .extracting(PackedSequence::exampleCount).isEqualTo(1);
        assertThatThrownBy(() -> new Packer(4, PAD, true).pack(List.of(example(1, 5))))
                .hasMessageContaining("an example of 5 tokens does not fit a sequence of 4");
    }

    @Test
    void theSameInputPacksTheSameWay() {
        List<EncodedExample> examples = randomExamples(200, 32, 7);

        List<PackedSequence> first = new Packer(32, PAD, true).pack(examples);
        List<PackedSequence> second = new Packer(32, PAD, true).pack(examples);

        assertThat(first).hasSameSizeAs(second);
        for (int i = 0; i < first.size(); i++) {
            assertThat(first.get(i).tokens()).isEqualTo(second.get(i).tokens());
        }
    }
}
