package dev.loraplane.serving;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The {@code adapter} label of serving's series: the {@code cap} adapters with the most recent
 * requests, the rest counted as {@code other}, and {@code base} for the base model. Until {@code cap}
 * adapters have been seen each new one is named at once. Requests are counted per adapter in a
 * {@link HeavyHitters} table of {@value #TRACKED_PER_LABEL} × cap adapters; every {@link #RERANK} (at the
 * first request after it) an unnamed adapter with more requests than the least busy named one takes its
 * place, and so on down, ties keeping their place; the adapter that lost its place loses its series from
 * the registry (Prometheus sees them go stale) and its later requests count under {@code other}. Counts
 * halve at each re-rank, so older traffic weighs half as much per minute. Every counter with the label is
 * incremented here, under the lock the re-rank takes, so no series of an adapter outlives its place.
 */
final class AdapterLabels {

    static final String OTHER = "other";
    static final String BASE = "base";
    static final Duration RERANK = Duration.ofMinutes(1);
    private static final int TRACKED_PER_LABEL = 8;

    private final MeterRegistry registry;
    private final int cap;
    private final LongSupplier nanos;
    private final HeavyHitters traffic;
    private final Set<String> named = new HashSet<>();
    /** Names of the counters registered here: the series an adapter loses with its place. */
    private final Set<String> counters = new HashSet<>();
    private long rankedAt;

    /** @param nanos the clock of the re-ranks ({@code System::nanoTime}) */
    AdapterLabels(MeterRegistry registry, int cap, LongSupplier nanos) {
        this.registry = registry;
        this.cap = cap;
        this.nanos = nanos;
        this.traffic = new HeavyHitters(TRACKED_PER_LABEL * Math.max(1, cap));
        this.rankedAt = nanos.getAsLong();
    }

    /** Counts a request for {@code adapter} (null: the base model) and returns the label its series go under now. */
    synchronized String request(String adapter) {
        if (adapter == null) {
            return BASE;
        }
        long now = nanos.getAsLong();
        long periods = (now - rankedAt) / RERANK.toNanos();
        if (periods > 0) {
            rerank();
            traffic.decay((int) Math.min(Integer.MAX_VALUE, periods));
            rankedAt = now;
        }
        traffic.add(adapter);
        if (!named.contains(adapter) && named.size() < cap) {
            named.add(adapter);
        }
        return named.contains(adapter) ? adapter : OTHER;
    }

    /**
     * Adds {@code amount} to counter {@code name} of {@code label} (from {@link #request}), or of
     * {@code other} if that adapter has lost its place since.
     */
    synchronized void increment(String name, String description, String label, double amount) {
        String now = label.equals(BASE) || named.contains(label) ? label : OTHER;
        counters.add(name);
        Counter.builder(name).description(description).tag("adapter", now).register(registry).increment(amount);
    }

    private void rerank() {
        List<String> challengers = traffic.keys().stream().filter(a -> !named.contains(a))
                .sorted(Comparator.comparingLong(traffic::guaranteed).reversed()).toList();
        List<String> incumbents = named.stream().sorted(Comparator.comparingLong(traffic::guaranteed)).toList();
        for (int i = 0; i < Math.min(challengers.size(), incumbents.size()); i++) {
            String challenger = challengers.get(i);
            String incumbent = incumbents.get(i);
            if (traffic.guaranteed(challenger) <= traffic.guaranteed(incumbent)) {
                return;
            }
            named.remove(incumbent);
            named.add(challenger);
            List<Meter> series = registry.getMeters().stream().filter(m -> counters.contains(m.getId().getName())
                    && incumbent.equals(m.getId().getTag("adapter"))).toList();
            series.forEach(registry::remove);
        }
    }
}
