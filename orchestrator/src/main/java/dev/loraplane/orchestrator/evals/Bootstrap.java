package dev.loraplane.orchestrator.evals;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Percentile bootstrap confidence intervals: resample the examples with replacement {@code resamples}
 * times, compute the statistic on each resample, take the 2.5th and 97.5th percentiles. The seed fixes
 * the draws ({@link SplittableRandom} is specified), so a report's intervals are the same on every
 * machine. A paired statistic (one variant minus another) sees the same resampled examples on both sides.
 *
 * @param resamples how many resamples
 * @param seed the draws' seed
 */
public record Bootstrap(int resamples, long seed) {

    public static final int DEFAULT_RESAMPLES = 1000;

    public Bootstrap {
        if (resamples < 1) {
            throw new IllegalArgumentException("a bootstrap needs at least one resample, got " + resamples);
        }
    }

    /** A statistic on the data and its 95% interval. */
    public record Estimate(double value, double low, double high) {}

    /** {@code statistic} on all {@code n} examples, and its 95% interval over resamples of them. */
    public Estimate estimate(int n, ToDoubleFunction<int[]> statistic) {
        double value = statistic.applyAsDouble(Metric.all(n));
        SplittableRandom random = new SplittableRandom(seed);
        double[] draws = new double[resamples];
        int[] sample = new int[n];
        for (int b = 0; b < resamples; b++) {
            for (int i = 0; i < n; i++) {
                sample[i] = random.nextInt(n);
            }
            draws[b] = statistic.applyAsDouble(sample);
        }
        Arrays.sort(draws);
        return new Estimate(value, percentile(draws, 0.025), percentile(draws, 0.975));
    }

    /** Linear interpolation between closest ranks, as numpy's default percentile. */
    static double percentile(double[] sorted, double q) {
        double rank = q * (sorted.length - 1);
        int below = (int) Math.floor(rank);
        int above = Math.min(below + 1, sorted.length - 1);
        return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
    }
}
