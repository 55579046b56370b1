package dev.loraplane.serving.adapters;

import dev.loraplane.engine.lora.LoraAdapter;
import java.util.Arrays;

/**
 * Cold-load latency of one adapter version, disk to host memory, as {@code loraplane bench serve}
 * reports it ({@code cold_load_ms_p50}, {@code cold_load_ms_p99}). Each run loads the adapter afresh
 * and closes it; the files are then in the page cache, as for an adapter that sits on local disk.
 *
 * @param runs loads timed
 * @param p50Ms the median load time, in milliseconds
 * @param p99Ms the 99th percentile (nearest rank), in milliseconds
 */
public record ColdLoad(int runs, double p50Ms, double p99Ms) {

    /** Loads {@code version} {@code runs} times after one untimed warm-up load. */
    public static ColdLoad measure(AdapterLoader loader, AdapterVersion version, int runs) {
        if (runs < 1) {
            throw new IllegalArgumentException("runs must be at least 1, got " + runs);
        }
        loader.load(version).close();
        double[] millis = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            LoraAdapter adapter = loader.load(version);
            millis[i] = (System.nanoTime() - start) / 1e6;
            adapter.close();
        }
        Arrays.sort(millis);
        return new ColdLoad(runs, percentile(millis, 0.50), percentile(millis, 0.99));
    }

    /** The nearest-rank {@code q} quantile of sorted values. */
    static double percentile(double[] sorted, double q) {
        return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
    }
}
