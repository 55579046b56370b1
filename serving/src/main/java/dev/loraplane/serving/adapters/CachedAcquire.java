package dev.loraplane.serving.adapters;

import java.util.Arrays;

/**
 * What a request for an adapter already in host memory pays before it can join a batch: an {@link
 * AdapterCache#acquire} of the resident version (its name's resolution cached) and the lease's close,
 * as {@code loraplane bench serve} reports it ({@code cached_acquire_us_p50}, {@code
 * cached_acquire_us_p99}).
 *
 * @param runs acquires timed
 * @param p50Micros the median, in microseconds
 * @param p99Micros the 99th percentile (nearest rank), in microseconds
 */
public record CachedAcquire(int runs, double p50Micros, double p99Micros) {

    /** Acquires {@code name} once untimed (loading it), then {@code runs} times. */
    public static CachedAcquire measure(AdapterCache cache, String name, int runs) {
        if (runs < 1) {
            throw new IllegalArgumentException("runs must be at least 1, got " + runs);
        }
        cache.acquire(name).join().close();
        double[] micros = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            cache.acquire(name).join().close();
            micros[i] = (System.nanoTime() - start) / 1e3;
        }
        Arrays.sort(micros);
        return new CachedAcquire(runs, ColdLoad.percentile(micros, 0.50), ColdLoad.percentile(micros, 0.99));
    }
}
