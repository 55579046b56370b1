package dev.loraplane.datasets.prepare;

import java.util.ArrayList;
import java.util.List;

/**
 * How long examples are, in tokens before truncation: equal-width buckets up to the maximum
 * sequence length, and one more bucket for the examples beyond it when there are any.
 *
 * @param min the shortest example, 0 when there are none
 * @param max the longest example, 0 when there are none
 * @param mean the mean length, 0 when there are none
 * @param buckets in ascending order
 */
public record LengthHistogram(int min, int max, double mean, List<Bucket> buckets) {

    /** The number of buckets up to the maximum sequence length. */
    public static final int BUCKETS = 10;

    /**
     * Examples with {@code from <= length <= to} tokens.
     *
     * @param count how many
     */
    public record Bucket(int from, int to, long count) {}

    public LengthHistogram {
        buckets = List.copyOf(buckets);
    }

    /** Buckets {@code lengths} (each at least 1) into {@link #BUCKETS} parts of {@code [1, maxTokens]} and one for longer. */
    public static LengthHistogram of(int[] lengths, int maxTokens) {
        int width = Math.max(1, (maxTokens + BUCKETS - 1) / BUCKETS);
        int inRange = (maxTokens + width - 1) / width;
        long[] counts = new long[inRange + 1];
        int min = Integer.MAX_VALUE;
        int max = 0;
        long sum = 0;
        for (int length : lengths) {
            counts[length > maxTokens ? inRange : Math.max(0, length - 1) / width]++;
            min = Math.min(min, length);
            max = Math.max(max, length);
            sum += length;
        }
        List<Bucket> buckets = new ArrayList<>();
        for (int i = 0; i < inRange; i++) {
            buckets.add(new Bucket(i * width + 1, Math.min(maxTokens, (i + 1) * width), counts[i]));
        }
        if (counts[inRange] > 0) {
            buckets.add(new Bucket(maxTokens + 1, max, counts[inRange]));
        }
        return lengths.length == 0 ? new LengthHistogram(0, 0, 0, buckets)
                : new LengthHistogram(min, max, (double) sum / lengths.length, buckets);
    }
}
