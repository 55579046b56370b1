package dev.loraplane.datasets.prepare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ValidationSplitTest {

    @Test
    void theValidationPartIsTheRoundedFractionWithAtLeastOneExampleOnEachSide() {
        assertThat(ValidationSplit.validationSize(100, 0.1)).isEqualTo(10);
        assertThat(ValidationSplit.validationSize(105, 0.1)).isEqualTo(11);
        assertThat(ValidationSplit.validationSize(10, 0.01)).isEqualTo(1);
        assertThat(ValidationSplit.validationSize(2, 0.9)).isEqualTo(1);
        assertThat(ValidationSplit.validationSize(1, 0.5)).isZero();
        assertThat(ValidationSplit.validationSize(100, 0)).isZero();
        assertThatThrownBy(() -> ValidationSplit.validationSize(10, 1.0))
                .hasMessage("the validation fraction must be in [0, 1), got 1.0");
    }

    @Test
    void thePartsAreDisjointCoverEveryExampleAndFollowTheSeed() {
        ValidationSplit split = ValidationSplit.of(1000, 0.2, 9);

        assertThat(split.validation()).hasSize(200).isSorted();
        assertThat(split.train()).hasSize(800);
        int[] all = IntStream.concat(Arrays.stream(split.train()), Arrays.stream(split.validation())).sorted().toArray();
        assertThat(all).isEqualTo(IntStream.range(0, 1000).toArray());
        assertThat(ValidationSplit.of(1000, 0.2, 9).validation()).isEqualTo(split.validation());
        assertThat(ValidationSplit.of(1000, 0.2, 10).validation()).isNotEqualTo(split.validation());
    }

    @Test
    void withoutValidationTheTrainingOrderIsTheSeededPermutation() {
        ValidationSplit split = ValidationSplit.of(10, 0, 42);

        assertThat(split.validation()).isEmpty();
        assertThat(split.train()).isEqualTo(Shuffle.permutation(10, 42));
    }
}
