package dev.loraplane.serving.adapters;

import dev.loraplane.engine.lora.LoraAdapter;

/**
 * A loaded adapter version and its lease count. Retired means no new lease will be given on it
 * (evicted, replaced or unloaded); it is closed when it is retired and its last lease is released.
 * Guarded by the owning {@link AdapterCache}'s lock.
 */
final class CacheEntry {

    private final AdapterVersion version;
    private final LoraAdapter adapter;
    private int leases;
    private boolean retired;

    CacheEntry(AdapterVersion version, LoraAdapter adapter) {
        this.version = version;
        this.adapter = adapter;
    }

    AdapterVersion version() {
        return version;
    }

    LoraAdapter adapter() {
        return adapter;
    }

    void lease() {
        leases++;
    }

    /** Drops a lease; true when the adapter must now be closed. */
    boolean release() {
        leases--;
        return retired && leases == 0;
    }

    /** Stops new leases; true when the adapter must now be closed. */
    boolean retire() {
        retired = true;
        return leases == 0;
    }
}
