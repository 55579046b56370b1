package dev.loraplane.datasets.prepare;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ShuffleTest {

    @Test
    void aSeedAlwaysGivesTheSameOrder() {
        // java.util.Random's sequence is fixed by the Java specification; this order was computed apart from
        // Java, with its LCG and nextInt(bound) written out in Python, and holds on every JVM.
        assertThat(Shuffle.permutation(10, 42)).containsExactly(4, 6, 2, 1, 7, 9, 8, 5, 3, 0);
        assertThat(Shuffle.permutation(1000, 5)).isEqualTo(Shuffle.permutation(1000, 5));
        assertThat(Shuffle.shuffled(List.of("a", "b", "c", "d"), 3)).isEqualTo(Shuffle.shuffled(List.of("a", "b", "c", "d"), 3));
    }

    @Test
    void aPermutationHoldsEveryIndexOnceAndSeedsDiffer() {
        int[] order = Shuffle.permutation(1000, 1);

        assertThat(Arrays.stream(order).sorted().toArray()).isEqualTo(IntStream.range(0, 1000).toArray());
        assertThat(order).isNotEqualTo(IntStream.range(0, 1000).toArray());
        assertThat(order).isNotEqualTo(Shuffle.permutation(1000, 2));
    }
}
