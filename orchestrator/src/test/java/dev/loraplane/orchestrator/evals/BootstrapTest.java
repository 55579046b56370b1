package dev.loraplane.orchestrator.evals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BootstrapTest {

    /** 1 for the first {@code passing} of {@code n} examples. */
    private static double share(int[] sample, int passing) {
        return IntStream.of(sample).filter(i -> i < passing).count() / (double) sample.length;
    }

    @Test
    void theSameSeedGivesTheSameIntervalAndItHoldsTheValue() {
        Bootstrap bootstrap = new Bootstrap(1000, 42);
        Bootstrap.Estimate first = bootstrap.estimate(40, s -> share(s, 30));
        Bootstrap.Estimate again = bootstrap.estimate(40, s -> share(s, 30));
        assertThat(again).isEqualTo(first);
        assertThat(first.value()).isEqualTo(0.75);
        assertThat(first.low()).isLessThan(0.75).isGreaterThan(0.5);
        assertThat(first.high()).isGreaterThan(0.75).isLessThanOrEqualTo(0.95);
        // The normal approximation's half-width for p = 0.75, n = 40 is 1.96·√(p(1−p)/n) ≈ 0.134.
        assertThat(first.high() - first.low()).isCloseTo(0.268, within(0.06));
        assertThat(new Bootstrap(1000, 7).estimate(40, s -> share(s, 30))).as("another seed draws otherwise").isNotEqualTo(first);
    }

    @Test
    void aStatisticThatCannotVaryHasAZeroWidthInterval() {
        Bootstrap.Estimate all = new Bootstrap(200, 1).estimate(25, s -> share(s, 25));
        assertThat(all).isEqualTo(new Bootstrap.Estimate(1.0, 1.0, 1.0));
    }

    @Test
    void percentilesInterpolateBetweenRanksAsNumpyDoes() {
        double[] sorted = {1, 2, 3, 4};
        assertThat(Bootstrap.percentile(sorted, 0.5)).isEqualTo(2.5);
        assertThat(Bootstrap.percentile(sorted, 0.025)).isCloseTo(1.075, within(1e-12));
        assertThat(Bootstrap.percentile(sorted, 1.0)).isEqualTo(4);
    }
}
