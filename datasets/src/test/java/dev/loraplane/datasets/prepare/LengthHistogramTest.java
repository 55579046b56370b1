package dev.loraplane.datasets.prepare;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LengthHistogramTest {

    @Test
    void tenEqualBucketsUpToTheMaximumAndOneBeyond() {
        LengthHistogram histogram = LengthHistogram.of(new int[] {1, 10, 11, 100, 250, 99}, 100);

        assertThat(histogram.buckets()).hasSize(11);
        assertThat(histogram.buckets().get(0)).isEqualTo(new LengthHistogram.Bucket(1, 10, 2));
        assertThat(histogram.buckets().get(1)).isEqualTo(new LengthHistogram.Bucket(11, 20, 1));
        assertThat(histogram.buckets().get(9)).isEqualTo(new LengthHistogram.Bucket(91, 100, 2));
        assertThat(histogram.buckets().get(10)).isEqualTo(new LengthHistogram.Bucket(101, 250, 1));
        assertThat(histogram.min()).isEqualTo(1);
        assertThat(histogram.max()).isEqualTo(250);
        assertThat(histogram.mean()).isEqualTo(471 / 6.0);
    }

    @Test
    void aShortMaximumGetsOneTokenBucketsAndNoExamplesGiveZeros() {
        LengthHistogram histogram = LengthHistogram.of(new int[0], 4);

        assertThat(histogram.buckets()).extracting(LengthHistogram.Bucket::from).isEqualTo(List.of(1, 2, 3, 4));
        assertThat(histogram.min()).isZero();
        assertThat(histogram.mean()).isZero();
    }
}
