package dev.loraplane.datasets.prepare;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded shuffles: Fisher–Yates driven by {@link Random}, whose sequence the Java specification
 * fixes, so a seed gives the same order on every JVM and every run.
 */
public final class Shuffle {

    private Shuffle() {}

    /** A permutation of {@code 0 … n-1}. */
    public static int[] permutation(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random random = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    /** The items in the order of {@link #permutation}; e.g. packed sequences reshuffled each epoch with {@code seed + epoch}. */
    public static <T> List<T> shuffled(List<T> items, long seed) {
        int[] order = permutation(items.size(), seed);
        List<T> shuffled = new ArrayList<>(items.size());
        for (int index : order) {
            shuffled.add(items.get(index));
        }
        return shuffled;
    }
}
