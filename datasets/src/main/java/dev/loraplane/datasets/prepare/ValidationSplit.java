package dev.loraplane.datasets.prepare;

import java.util.Arrays;

/**
 * A seeded split of {@code n} examples into training and validation: one {@link Shuffle#permutation}
 * whose first {@link #validationSize} indices are the validation examples (kept in file order) and
 * whose rest, in permuted order, is the shuffled training order.
 *
 * @param train indices of training examples, shuffled
 * @param validation indices of validation examples, ascending
 */
public record ValidationSplit(int[] train, int[] validation) {

    /** Splits {@code n} examples; a fraction of 0 keeps them all for training, shuffled. */
    public static ValidationSplit of(int n, double fraction, long seed) {
        int[] order = Shuffle.permutation(n, seed);
        int size = validationSize(n, fraction);
        int[] validation = Arrays.copyOfRange(order, 0, size);
        Arrays.sort(validation);
        return new ValidationSplit(Arrays.copyOfRange(order, size, n), validation);
    }

    /**
     * {@code round(n × fraction)}, but at least 1 when the fraction is positive and at most
     * {@code n - 1}, so that both parts have an example whenever there are two; 0 for fewer.
     */
    public static int validationSize(int n, double fraction) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("the validation fraction must be in [0, 1), got " + fraction);
        }
        if (fraction == 0 || n < 2) {
            return 0;
        }
        return (int) Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
    }
}
