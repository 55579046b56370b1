package dev.loraplane.app.bench;

import java.util.Arrays;

/**
 * Timed rounds of several cases measured in turn, case 0 the reference. On a shared machine the
 * speed of every case drifts together from round to round, so a case is compared with the
 * reference of its own round (seconds apart) and the ratio reported is the median of those
 * rounds' ratios, not a ratio of two medians taken from different rounds.
 *
 * @param runs {@code runs[case][round]}, a rate (higher is faster)
 */
record Rounds(double[][] runs) {

    Rounds {
        if (runs.length == 0 || runs[0].length == 0) {
            throw new IllegalArgumentException("no rounds");
        }
    }

    /** The median round of a case. */
    double median(int c) {
        return median(runs[c]);
    }

    /** The median over rounds of a case's rate over the reference's rate in the same round. */
    double ratio(int c) {
        double[] ratios = new double[runs[c].length];
        for (int r = 0; r < ratios.length; r++) {
            ratios[r] = runs[c][r] / runs[0][r];
        }
        return median(ratios);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
