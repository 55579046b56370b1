package dev.loraplane.serving.adapters;

import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.model.Llama;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host-memory tier of adapters (vLLM's {@code max_cpu_loras}): loaded {@link LoraAdapter}s keyed
 * by name and version, least recently used evicted beyond a capacity, pinned ones never.
 *
 * <p>{@link #acquire} resolves the name through the {@link AdapterSource} (at most once per resolve
 * TTL; off the caller's thread) and answers a lease on the newest version. A resident version is a
 * hit and the future is already complete when the name's resolution is fresh, or stale by less than
 * the stale window: then the name is resolved again in the background (HTTP's
 * stale-while-revalidate), a newer version loaded behind the requests, and a source that cannot be
 * reached leaves the resident version served until the window ends. A miss loads on a small
 * loader pool, so a slow load holds up only the requests for that adapter, and concurrent acquires of
 * one version share one load. When the source names a newer version, it loads while leases on the old
 * one keep working; requests that resolved the new version get it once it is fully loaded, and the
 * old one is retired. An adapter is closed only when it has been retired (evicted, replaced,
 * {@linkplain #invalidate unloaded}) and its last lease is closed.
 */
public final class AdapterCache implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdapterCache.class);

    private final AdapterSource source;
    private final AdapterLoader loader;
    private final int capacity;
    private final long resolveTtlNanos;
    private final long staleNanos;
    private final ExecutorService loaders;
    private final ExecutorService resolvers;
    private final CacheMetrics metrics;

    // Guarded by this. resident is in access order: the eldest entry is the least recently used.
    private final LinkedHashMap<AdapterKey, CacheEntry> resident = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<AdapterKey, PendingLoad> loading = new HashMap<>();
    private final Map<String, Resolution> resolutions = new HashMap<>();
    private final Set<String> pinned = new HashSet<>();
    private final Set<String> revalidating = new HashSet<>();
    private boolean closed;

    /** A name's newest version as the source last named it, and when a revalidation last began. */
    private record Resolution(AdapterVersion version, long atNanos, long triedNanos) {}

    /** A load in flight and the acquires waiting for it. */
    private record PendingLoad(AdapterVersion version, List<CompletableFuture<AdapterLease>> waiters) {}

    private AdapterCache(Builder builder) {
        source = builder.source;
        loader = new AdapterLoader(builder.baseModel, builder.model, builder.maxRank);
        capacity = builder.capacity;
        resolveTtlNanos = builder.resolveTtl.toNanos();
        staleNanos = builder.staleWindow.toNanos();
        loaders = Executors.newFixedThreadPool(builder.loaderThreads, daemons("adapter-loader"));
        resolvers = Executors.newCachedThreadPool(daemons("adapter-resolver"));
        metrics = new CacheMetrics(builder.registry, this::residentCount);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A lease on the newest version of {@code name}, once it is loaded. The future fails with {@link
     * UnknownAdapterException}, {@link AdapterBaseMismatchException}, {@link AdapterRankException} or
     * the engine's {@link dev.loraplane.engine.lora.LoraException} for invalid files.
     */
    public CompletableFuture<AdapterLease> acquire(String name) {
        Resolution resolution;
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("the adapter cache is closed"));
            }
            resolution = resolutions.get(name);
        }
        if (resolution != null) {
            long age = System.nanoTime() - resolution.atNanos();
            if (age < resolveTtlNanos) {
                return acquire(resolution.version());
            }
            AdapterLease stale = age - resolveTtlNanos < staleNanos ? leaseResident(resolution.version().key()) : null;
            if (stale != null) {
                revalidate(name);
                return CompletableFuture.completedFuture(stale);
            }
        }
        return CompletableFuture.supplyAsync(() -> resolve(name), resolvers).thenCompose(this::acquire);
    }

    /**
     * Keeps {@code name} resident from now on (every version of it), loading it now; the future fails
     * as {@link #acquire} does, and the name is then not pinned.
     */
    public CompletableFuture<Void> pin(String name) {
        synchronized (this) {
            pinned.add(name);
        }
        return acquire(name).handle((lease, error) -> {
            if (error != null) {
                synchronized (this) {
                    pinned.remove(name);
                }
                throw error instanceof RuntimeException r ? r : new IllegalStateException(error);
            }
            lease.close();
            return null;
        });
    }

    /** Lets {@code name} be evicted again, evicting at once if the tier is over capacity. */
    public void unpin(String name) {
        List<CacheEntry> toClose;
        synchronized (this) {
            pinned.remove(name);
            toClose = evictBeyondCapacity();
        }
        closeAll(toClose);
    }

    /**
     * Unloads {@code name} (vLLM's {@code /v1/unload_lora_adapter}): every resident version is retired
     * and closed once its leases are released, the pin and the cached resolution are dropped, and a
     * load in flight is served to its waiters and then dropped. The next acquire resolves afresh.
     */
    public void invalidate(String name) {
        List<CacheEntry> toClose = new ArrayList<>();
        synchronized (this) {
            resolutions.remove(name);
            pinned.remove(name);
            for (Iterator<CacheEntry> it = resident.values().iterator(); it.hasNext(); ) {
                CacheEntry entry = it.next();
                if (entry.version().name().equals(name)) {
                    it.remove();
                    if (entry.retire()) {
                        toClose.add(entry);
                    }
                }
            }
        }
        closeAll(toClose);
    }

    /** The loader the cache loads with: what a cold-load benchmark times. */
    public AdapterLoader loader() {
        return loader;
    }

    /** Adapter versions resident in host memory, leased ones that were retired not counted. */
    public synchronized int residentCount() {
        return resident.size();
    }

    /**
     * Stops loading and retires every adapter: those without leases close now, leased ones when their
     * leases are closed. Loads already queued finish and are served to their waiters.
     */
    @Override
    public void close() {
        List<CacheEntry> toClose = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            for (CacheEntry entry : resident.values()) {
                if (entry.retire()) {
                    toClose.add(entry);
                }
            }
            resident.clear();
        }
        closeAll(toClose);
        resolvers.shutdown();
        loaders.shutdown();
        try {
            loaders.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Resolves {@code name} again on a resolver thread and loads the version it names, unless a
     * revalidation is under way or began less than a TTL ago: requests go on with the resident version
     * until the new one is resident. A name the source no longer knows loses its resolution, so its
     * next acquire fails as unknown.
     */
    private void revalidate(String name) {
        AdapterVersion served;
        synchronized (this) {
            Resolution current = resolutions.get(name);
            long now = System.nanoTime();
            if (current == null || revalidating.contains(name) || now - current.triedNanos() < resolveTtlNanos) {
                return;
            }
            revalidating.add(name);
            resolutions.put(name, new Resolution(current.version(), current.atNanos(), now));
            served = current.version();
        }
        CompletableFuture.supplyAsync(() -> resolve(name), resolvers)
                .thenCompose(version -> isResident(version.key()) ? CompletableFuture.completedFuture(null) : acquire(version))
                .whenComplete((lease, error) -> {
                    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                    synchronized (this) {
                        revalidating.remove(name);
                        if (cause instanceof UnknownAdapterException) {
                            resolutions.remove(name);
                        }
                    }
                    if (lease != null) {
                        lease.close();
                    }
                    if (cause != null && !(cause instanceof UnknownAdapterException)) {
                        LOG.warn("adapter '{}': version {} is served while its newest version cannot be had: {}", name,
                                served.version(), cause.getMessage());
                    }
                });
    }

    private synchronized boolean isResident(AdapterKey key) {
        return resident.containsKey(key);
    }

    private AdapterVersion resolve(String name) {
        AdapterVersion version;
        try {
            version = source.resolve(name).orElseThrow(() -> new UnknownAdapterException(name));
        } catch (RegistryUnavailableException e) {
            metrics.registryFailed();
            throw e;
        }
        synchronized (this) {
            long now = System.nanoTime();
            resolutions.put(name, new Resolution(version, now, now));
        }
        return version;
    }

    private CompletableFuture<AdapterLease> acquire(AdapterVersion version) {
        AdapterKey key = version.key();
        CompletableFuture<AdapterLease> waiter = new CompletableFuture<>();
        PendingLoad started = null;
        AdapterLease lease;
        List<CacheEntry> toClose;
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("the adapter cache is closed"));
            }
            CacheEntry entry = resident.get(key);
            if (entry == null) {
                metrics.miss();
                PendingLoad load = loading.get(key);
                if (load == null) {
                    load = new PendingLoad(version, new ArrayList<>());
                    loading.put(key, load);
                    started = load;
                }
                load.waiters().add(waiter);
                lease = null;
                toClose = List.of();
            } else {
                lease = lease(entry);
                toClose = supersede(key);
            }
        }
        closeAll(toClose);
        if (lease != null) {
            return CompletableFuture.completedFuture(lease);
        }
        if (started != null) {
            PendingLoad load = started;
            loaders.execute(() -> load(load));
        }
        return waiter;
    }

    /** A lease on {@code key} if it is resident, counted as a hit; else null. */
    private synchronized AdapterLease leaseResident(AdapterKey key) {
        CacheEntry entry = resident.get(key);
        return entry == null ? null : lease(entry);
    }

    private AdapterLease lease(CacheEntry entry) {
        metrics.hit();
        entry.lease();
        return new AdapterLease(entry, this);
    }

    /** Runs on a loader thread: loads, then makes the adapter resident and serves the waiters. */
    private void load(PendingLoad load) {
        AdapterKey key = load.version().key();
        LoraAdapter adapter;
        long start = System.nanoTime();
        try {
            adapter = loader.load(load.version());
        } catch (RuntimeException | Error e) {
            if (e instanceof RegistryUnavailableException) {   // the version's files could not be downloaded
                metrics.registryFailed();
            }
            List<CompletableFuture<AdapterLease>> waiters;
            synchronized (this) {
                loading.remove(key);
                waiters = List.copyOf(load.waiters());
            }
            LOG.warn("adapter '{}' version {} did not load: {}", key.name(), key.version(), e.getMessage());
            waiters.forEach(w -> w.completeExceptionally(e));
            return;
        }
        metrics.loaded(System.nanoTime() - start);
        CacheEntry entry = new CacheEntry(load.version(), adapter);
        List<CompletableFuture<AdapterLease>> waiters;
        List<CacheEntry> toClose = new ArrayList<>();
        synchronized (this) {
            loading.remove(key);
            waiters = List.copyOf(load.waiters());
            waiters.forEach(w -> entry.lease());
            Resolution current = resolutions.get(key.name());
            if (!closed && current != null && current.version().key().equals(key)) {
                resident.put(key, entry);
                toClose.addAll(supersede(key));
                toClose.addAll(evictBeyondCapacity());
            } else {
                // Superseded or unloaded while it loaded: serve the waiters, keep nothing.
                entry.retire();
            }
        }
        closeAll(toClose);
        for (CompletableFuture<AdapterLease> waiter : waiters) {
            AdapterLease lease = new AdapterLease(entry, this);
            if (!waiter.complete(lease)) {
                lease.close();
            }
        }
    }

    /** Retires the other resident versions of {@code current}'s name; returns those to close now. */
    private List<CacheEntry> supersede(AdapterKey current) {
        List<CacheEntry> toClose = new ArrayList<>();
        for (Iterator<Map.Entry<AdapterKey, CacheEntry>> it = resident.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<AdapterKey, CacheEntry> e = it.next();
            if (e.getKey().name().equals(current.name()) && !e.getKey().equals(current)) {
                it.remove();
                LOG.info("adapter '{}' version {} replaces version {}", current.name(), current.version(), e.getKey().version());
                if (e.getValue().retire()) {
                    toClose.add(e.getValue());
                }
            }
        }
        return toClose;
    }

    /** Evicts the least recently used unpinned adapters beyond capacity; returns those to close now. */
    private List<CacheEntry> evictBeyondCapacity() {
        List<CacheEntry> toClose = new ArrayList<>();
        int excess = resident.size() - capacity;
        for (Iterator<CacheEntry> it = resident.values().iterator(); excess > 0 && it.hasNext(); ) {
            CacheEntry entry = it.next();
            if (pinned.contains(entry.version().name())) {
                continue;
            }
            it.remove();
            excess--;
            metrics.evicted();
            if (entry.retire()) {
                toClose.add(entry);
            }
        }
        return toClose;
    }

    void release(CacheEntry entry) {
        boolean close;
        synchronized (this) {
            close = entry.release();
        }
        if (close) {
            entry.adapter().close();
        }
    }

    private static void closeAll(List<CacheEntry> entries) {
        entries.forEach(e -> e.adapter().close());
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Builds an {@link AdapterCache}: {@code set*} are required, {@code opt*} have defaults. */
    public static final class Builder {

        private AdapterSource source;
        private String baseModel;
        private Llama model;
        private MeterRegistry registry;
        private int capacity = 32;
        private int maxRank = AdapterLoader.DEFAULT_MAX_RANK;
        private Duration resolveTtl = Duration.ofSeconds(1);
        private Duration staleWindow = Duration.ZERO;
        private int loaderThreads = 2;

        private Builder() {}

        /** Where adapter names resolve. */
        public Builder setSource(AdapterSource source) {
            this.source = source;
            return this;
        }

        /** The served base model and its name, which adapters' bases are checked against. */
        public Builder setModel(String baseModel, Llama model) {
            this.baseModel = baseModel;
            this.model = model;
            return this;
        }

        /** Where the tier's series go. */
        public Builder setMeterRegistry(MeterRegistry registry) {
            this.registry = registry;
            return this;
        }

        /**
         * Adapter versions kept in host memory (default 32). Pinned ones count and are never evicted; an
         * adapter loaded while the pinned fill the tier serves its waiting requests and is evicted at once.
         */
        public Builder optCapacity(int capacity) {
            this.capacity = capacity;
            return this;
        }

        /** The largest LoRA rank accepted (default 64). */
        public Builder optMaxRank(int maxRank) {
            this.maxRank = maxRank;
            return this;
        }

        /**
         * How long a name's resolution is reused before the source is asked again (default 1 s): the
         * longest a new version waits to be noticed. Zero asks on every acquire.
         */
        public Builder optResolveTtl(Duration resolveTtl) {
            this.resolveTtl = resolveTtl;
            return this;
        }

        /**
         * How long past its TTL a resolution still serves its version when that is resident (default
         * zero: never), while the name is resolved again in the background: an acquire after the TTL
         * does not wait for the source, and a source that cannot be reached stops nothing resident
         * for this long. A new version is then noticed by the first acquire after the TTL and served
         * once it is loaded.
         */
        public Builder optStaleWindow(Duration staleWindow) {
            this.staleWindow = staleWindow;
            return this;
        }

        /** Threads that load adapters (default 2). */
        public Builder optLoaderThreads(int loaderThreads) {
            this.loaderThreads = loaderThreads;
            return this;
        }

        public AdapterCache build() {
            Objects.requireNonNull(source, "setSource: the adapter source is required");
            Objects.requireNonNull(model, "setModel: the base model is required");
            Objects.requireNonNull(baseModel, "setModel: the base model's name is required");
            Objects.requireNonNull(registry, "setMeterRegistry: a meter registry is required");
            if (capacity < 1) {
                throw new IllegalArgumentException("adapter cache capacity must be at least 1, got " + capacity);
            }
            if (resolveTtl.isNegative()) {
                throw new IllegalArgumentException("resolve TTL must not be negative, got " + resolveTtl);
            }
            if (staleWindow.isNegative()) {
                throw new IllegalArgumentException("stale window must not be negative, got " + staleWindow);
            }
            if (loaderThreads < 1) {
                throw new IllegalArgumentException("loader threads must be at least 1, got " + loaderThreads);
            }
            return new AdapterCache(this);
        }
    }
}
