package dev.loraplane.serving;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Counts of the busiest keys in bounded memory: the space-saving algorithm (Metwally, Agrawal and El
 * Abbadi, 2005). It holds at most {@code capacity} keys; a new key arriving when it is full takes the
 * place of the key with the smallest count and inherits that count as its possible overcount. So any key
 * with more than 1/capacity of the traffic is held, and its count less its overcount
 * ({@link #guaranteed}) never overstates it. Not thread-safe.
 */
final class HeavyHitters {

    /** A held key's count, of which up to {@code error} may belong to the keys it replaced. */
    private record Tally(long count, long error) {}

    private final int capacity;
    private final Map<String, Tally> tallies = new HashMap<>();

    HeavyHitters(int capacity) {
        this.capacity = capacity;
    }

    /** One more for {@code key}. */
    void add(String key) {
        Tally tally = tallies.get(key);
        if (tally != null) {
            tallies.put(key, new Tally(tally.count() + 1, tally.error()));
            return;
        }
        if (tallies.size() < capacity) {
            tallies.put(key, new Tally(1, 0));
            return;
        }
        Map.Entry<String, Tally> least = tallies.entrySet().stream()
                .min((a, b) -> Long.compare(a.getValue().count(), b.getValue().count())).orElseThrow();
        tallies.remove(least.getKey());
        tallies.put(key, new Tally(least.getValue().count() + 1, least.getValue().count()));
    }

    /** What {@code key} had at least since it was held; 0 for a key not held. */
    long guaranteed(String key) {
        Tally tally = tallies.get(key);
        return tally == null ? 0 : tally.count() - tally.error();
    }

    /** The keys held now. */
    Set<String> keys() {
        return Set.copyOf(tallies.keySet());
    }

    /** Halves every count and overcount {@code times} times, letting go of the keys that reach zero. */
    void decay(int times) {
        int shift = Math.min(63, times);
        tallies.replaceAll((key, t) -> new Tally(t.count() >> shift, t.error() >> shift));
        tallies.values().removeIf(t -> t.count() == 0);
    }
}
