package dev.loraplane.serving.adapters;

import dev.loraplane.engine.lora.LoraAdapter;

/**
 * A hold on one loaded adapter version: while any lease on it is open, the cache does not close the
 * adapter, even when it is evicted or replaced by a newer version. Close it when the request is done;
 * closing twice is harmless.
 */
public final class AdapterLease implements AutoCloseable {

    private final CacheEntry entry;
    private final AdapterCache cache;
    private boolean released;

    AdapterLease(CacheEntry entry, AdapterCache cache) {
        this.entry = entry;
        this.cache = cache;
    }

    /** The adapter's weights, readable until this lease is closed. */
    public LoraAdapter adapter() {
        synchronized (this) {
            if (released) {
                throw new IllegalStateException("the lease on adapter '" + entry.version().name() + "' is closed");
            }
        }
        return entry.adapter();
    }

    /** Which version of the adapter this lease holds. */
    public AdapterVersion version() {
        return entry.version();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
        }
        cache.release(entry);
    }
}
