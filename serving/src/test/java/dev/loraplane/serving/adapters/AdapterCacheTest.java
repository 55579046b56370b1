package dev.loraplane.serving.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.model.Llama;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host tier on the TINY base: LRU order, leases across eviction, shared loads, pinning, hot swap, metrics. */
class AdapterCacheTest {

    @TempDir
    static Path tmp;

    static Llama model;
    static Path a;
    static Path b;
    static Path c;
    static Path a2;

    final LocalAdapters local = new LocalAdapters();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<AdapterCache> caches = new ArrayList<>();

    @BeforeAll
    static void base() {
        model = TinyBase.load(tmp.resolve("tiny"));
        a = TinyBase.adapter(model, tmp.resolve("a"), 4, 1);
        b = TinyBase.adapter(model, tmp.resolve("b"), 4, 2);
        c = TinyBase.adapter(model, tmp.resolve("c"), 4, 3);
        a2 = TinyBase.adapter(model, tmp.resolve("a2"), 4, 4);
    }

    @AfterAll
    static void closeBase() {
        model.close();
    }

    @AfterEach
    void closeCaches() {
        caches.forEach(AdapterCache::close);
    }

    AdapterCache cache(AdapterSource source, int capacity, Duration ttl) {
        return cache(source, capacity, ttl, Duration.ZERO);
    }

    AdapterCache cache(AdapterSource source, int capacity, Duration ttl, Duration staleWindow) {
        AdapterCache cache = AdapterCache.builder().setSource(source).setModel(TinyBase.NAME, model)
                .setMeterRegistry(registry).optCapacity(capacity).optResolveTtl(ttl).optStaleWindow(staleWindow).build();
        caches.add(cache);
        return cache;
    }

    AdapterCache cache(int capacity) {
        return cache(local, capacity, Duration.ZERO);
    }

    static AdapterLease take(AdapterCache cache, String name) throws Exception {
        return cache.acquire(name).get(10, TimeUnit.SECONDS);
    }

    static void touch(AdapterCache cache, String name) throws Exception {
        take(cache, name).close();
    }

    double count(String meter) {
        return registry.get(meter).tag("tier", "host").counter().count();
    }

    void registerAbc() {
        local.register("a", a);
        local.register("b", b);
        local.register("c", c);
    }

    @Test
    void aCachedAcquireIsTimedOnTheResidentVersionLoadedOnce() {
        local.register("a", a);
        AdapterCache cache = cache(local, 4, Duration.ofSeconds(60));
        CachedAcquire cached = CachedAcquire.measure(cache, "a", 20);
        assertThat(cached.runs()).isEqualTo(20);
        assertThat(cached.p50Micros()).isPositive().isLessThanOrEqualTo(cached.p99Micros());
        assertThat(count("loraplane.adapter.loads")).as("loaded once, before the timed acquires").isEqualTo(1);
        assertThat(count("loraplane.adapter.cache.hits")).as("every timed acquire a hit").isEqualTo(20);
    }

    @Test
    void hitsMissesAndLeastRecentlyUsedEviction() throws Exception {
        registerAbc();
        AdapterCache cache = cache(2);
        touch(cache, "a");
        touch(cache, "b");
        touch(cache, "a");   // a is now the most recently used
        touch(cache, "c");   // evicts b
        assertThat(count("loraplane.adapter.loads")).isEqualTo(3);
        assertThat(count("loraplane.adapter.evictions")).isEqualTo(1);
        touch(cache, "a");   // still resident: a hit
        assertThat(count("loraplane.adapter.loads")).isEqualTo(3);
        touch(cache, "b");   // loads again and evicts c, the least recently used
        touch(cache, "a");
        assertThat(count("loraplane.adapter.loads")).isEqualTo(4);
        touch(cache, "c");
        assertThat(count("loraplane.adapter.loads")).isEqualTo(5);

        assertThat(count("loraplane.adapter.cache.hits")).isEqualTo(3);
        assertThat(count("loraplane.adapter.cache.misses")).isEqualTo(5);
        assertThat(count("loraplane.adapter.evictions")).isEqualTo(3);
        assertThat(registry.get("loraplane.adapter.load").tag("tier", "host").timer().count()).isEqualTo(5);
        assertThat(registry.get("loraplane.adapters.resident").tag("tier", "host").gauge().value()).isEqualTo(2);
    }

    @Test
    void aLeaseKeepsAnEvictedAdapterReadableUntilItIsClosed() throws Exception {
        registerAbc();
        AdapterCache cache = cache(1);
        AdapterLease lease = take(cache, "a");
        LoraAdapter adapter = lease.adapter();
        float[] before = TinyBase.firstWeights(adapter);
        touch(cache, "b");
        assertThat(count("loraplane.adapter.evictions")).isEqualTo(1);
        assertThat(TinyBase.firstWeights(lease.adapter())).containsExactly(before);
        assertThat(adapter.module(0, "q_proj").a().isReleased()).isFalse();

        lease.close();
        assertThat(adapter.module(0, "q_proj").a().isReleased()).isTrue();
        assertThatThrownBy(lease::adapter).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        lease.close();
    }

    @Test
    void concurrentAcquiresOfOneAdapterShareOneLoad() throws Exception {
        local.register("a", a);
        CountDownLatch gate = new CountDownLatch(1);
        AdapterCache cache = cache(gated(local, "a", gate), 4, Duration.ZERO);
        List<CompletableFuture<AdapterLease>> acquires = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            acquires.add(cache.acquire("a"));
        }
        assertThat(acquires).noneMatch(CompletableFuture::isDone);
        gate.countDown();
        List<AdapterLease> leases = new ArrayList<>();
        for (CompletableFuture<AdapterLease> acquire : acquires) {
            leases.add(acquire.get(10, TimeUnit.SECONDS));
        }
        assertThat(count("loraplane.adapter.loads")).isEqualTo(1);
        assertThat(leases).extracting(AdapterLease::adapter).containsOnly(leases.get(0).adapter());
        leases.forEach(AdapterLease::close);
    }

    @Test
    void aSlowLoadDoesNotDelayAnAdapterAlreadyResident() throws Exception {
        registerAbc();
        CountDownLatch gate = new CountDownLatch(1);
        AdapterCache cache = cache(gated(local, "a", gate), 4, Duration.ZERO);
        touch(cache, "b");
        CompletableFuture<AdapterLease> slow = cache.acquire("a");
        try (AdapterLease lease = cache.acquire("b").get(2, TimeUnit.SECONDS)) {
            assertThat(lease.version().name()).isEqualTo("b");
        }
        touch(cache, "c");   // a miss, loaded on the other loader thread
        assertThat(slow).isNotDone();
        gate.countDown();
        slow.get(10, TimeUnit.SECONDS).close();
    }

    @Test
    void aHitIsCompleteOnReturnWhileTheResolutionIsFresh() throws Exception {
        registerAbc();
        AdapterCache cache = cache(local, 4, Duration.ofMinutes(1));
        touch(cache, "a");
        CompletableFuture<AdapterLease> hit = cache.acquire("a");
        assertThat(hit).isDone();
        hit.join().close();
    }

    @Test
    void aStaleResolutionServesTheResidentVersionAtOnceAndTheNewVersionLoadsBehindIt() throws Exception {
        local.register("a", a);
        Registry source = new Registry(local);
        AdapterCache cache = cache(source, 4, Duration.ZERO, Duration.ofMinutes(1));
        touch(cache, "a");
        local.register("a", a2);
        source.hold = new CountDownLatch(1);

        List<CompletableFuture<AdapterLease>> served = List.of(cache.acquire("a"), cache.acquire("a"), cache.acquire("a"));
        assertThat(served).as("none waits for the source").allMatch(CompletableFuture::isDone);
        for (CompletableFuture<AdapterLease> lease : served) {
            assertThat(lease.join().version().version()).isEqualTo(1);
            lease.join().close();
        }
        eventually(() -> source.resolves.get() == 2, "the name is resolved again");
        Thread.sleep(100);   // time for any other resolution to begin
        assertThat(source.resolves).as("one resolution in flight for the three").hasValue(2);

        source.hold.countDown();
        eventually(() -> count("loraplane.adapter.loads") == 2, "version 2 loads behind the requests");
        try (AdapterLease lease = take(cache, "a")) {
            assertThat(lease.version().version()).isEqualTo(2);
        }
        assertThat(cache.residentCount()).as("version 1 retired").isEqualTo(1);
    }

    @Test
    void aSourceThatCannotBeReachedLeavesTheResidentVersionServedForTheStaleWindow() throws Exception {
        local.register("a", a);
        Registry source = new Registry(local);
        AdapterCache cache = cache(source, 4, Duration.ZERO, Duration.ofSeconds(2));
        touch(cache, "a");
        source.down = new RegistryUnavailableException("cannot reach the adapter registry at http://control-plane:8080/v1", null);
        try (AdapterLease lease = cache.acquire("a").getNow(null)) {
            assertThat(lease).as("served at once from memory").isNotNull();
            assertThat(lease.version().version()).isEqualTo(1);
        }
        Thread.sleep(2_300);
        assertThatThrownBy(() -> take(cache, "a")).hasRootCauseMessage(source.down.getMessage());
        assertThat(registry.get("loraplane.adapter.registry.failures").counter().count())
                .as("the failed revalidation and the failed resolution").isEqualTo(2);
    }

    @Test
    void anAdapterTheSourceNoLongerKnowsIsUnknownOnceRevalidated() throws Exception {
        local.register("a", a);
        AdapterCache cache = cache(local, 4, Duration.ZERO, Duration.ofMinutes(1));
        touch(cache, "a");
        local.unregister("a");
        eventually(() -> {
            CompletableFuture<AdapterLease> acquired = cache.acquire("a");
            try {
                acquired.get(10, TimeUnit.SECONDS).close();
                return false;
            } catch (ExecutionException e) {
                assertThat(e).hasRootCauseInstanceOf(UnknownAdapterException.class);
                return true;
            }
        }, "the unregistered name is unknown");
    }

    @Test
    void aPinnedAdapterIsNotEvicted() throws Exception {
        registerAbc();
        AdapterCache cache = cache(2);
        cache.pin("a").get(10, TimeUnit.SECONDS);
        touch(cache, "b");
        touch(cache, "c");   // a is the least recently used but pinned: b goes
        touch(cache, "a");
        assertThat(count("loraplane.adapter.loads")).isEqualTo(3);
        assertThat(count("loraplane.adapter.evictions")).isEqualTo(1);

        cache.unpin("a");
        touch(cache, "b");   // evicts c, the least recently used
        touch(cache, "c");   // evicts a, no longer pinned
        touch(cache, "a");
        assertThat(count("loraplane.adapter.loads")).isEqualTo(6);
    }

    @Test
    void pinningAnUnknownAdapterFailsAndPinsNothing() {
        AdapterCache cache = cache(1);
        assertThatThrownBy(() -> cache.pin("nope").get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasRootCauseInstanceOf(UnknownAdapterException.class);
    }

    @Test
    void aNewVersionIsSwappedInWhileLeasesOnTheOldOneKeepWorking() throws Exception {
        local.register("a", a);
        AdapterCache cache = cache(4);
        AdapterLease v1 = take(cache, "a");
        float[] v1Weights = TinyBase.firstWeights(v1.adapter());
        LoraAdapter v1Adapter = v1.adapter();

        local.register("a", a2);
        try (AdapterLease v2 = take(cache, "a")) {
            assertThat(v2.version().version()).isEqualTo(2);
            assertThat(v1.version().version()).isEqualTo(1);
            assertThat(TinyBase.firstWeights(v2.adapter())).isNotEqualTo(v1Weights);
            assertThat(TinyBase.firstWeights(v1.adapter())).containsExactly(v1Weights);
        }
        assertThat(cache.residentCount()).isEqualTo(1);
        v1.close();
        assertThat(v1Adapter.module(0, "q_proj").a().isReleased()).isTrue();
        try (AdapterLease again = take(cache, "a")) {
            assertThat(again.version().version()).isEqualTo(2);
        }
        assertThat(count("loraplane.adapter.loads")).isEqualTo(2);
        assertThat(count("loraplane.adapter.evictions")).isZero();
    }

    @Test
    void invalidateUnloadsAndTheNextAcquireResolvesAfresh() throws Exception {
        local.register("a", a);
        AdapterCache cache = cache(4);
        AdapterLease lease = take(cache, "a");
        LoraAdapter adapter = lease.adapter();
        local.unregister("a");
        cache.invalidate("a");
        assertThat(cache.residentCount()).isZero();
        assertThat(adapter.module(0, "q_proj").a().isReleased()).isFalse();
        lease.close();
        assertThat(adapter.module(0, "q_proj").a().isReleased()).isTrue();
        assertThatThrownBy(() -> take(cache, "a")).hasRootCauseInstanceOf(UnknownAdapterException.class)
                .hasRootCauseMessage(new UnknownAdapterException("a").getMessage());
    }

    @Test
    void aFailedLoadFailsItsAcquiresWithTheTypedErrorAndCountsNoLoad() throws Exception {
        Path wide = TinyBase.adapter(model, tmp.resolve("wide"), 96, 5);
        local.register("wide", wide);
        AdapterCache cache = cache(4);
        assertThatThrownBy(() -> take(cache, "wide")).hasRootCauseInstanceOf(AdapterRankException.class)
                .rootCause().hasMessageContaining("r = 96").hasMessageContaining("maximum of 64");
        assertThatThrownBy(() -> take(cache, "unknown")).hasRootCauseInstanceOf(UnknownAdapterException.class)
                .rootCause().hasMessageContaining("'unknown'");
        assertThat(count("loraplane.adapter.loads")).isZero();
        assertThat(cache.residentCount()).isZero();
    }

    @Test
    void closingTheCacheRefusesAcquiresAndLeavesOpenLeasesReadable() throws Exception {
        registerAbc();
        AdapterCache cache = cache(4);
        touch(cache, "a");
        AdapterLease lease = take(cache, "b");
        LoraAdapter held = lease.adapter();
        cache.close();
        assertThat(cache.residentCount()).isZero();
        assertThat(TinyBase.firstWeights(held)).isNotEmpty();
        assertThatThrownBy(() -> take(cache, "a")).hasRootCauseInstanceOf(IllegalStateException.class)
                .hasRootCauseMessage("the adapter cache is closed");
        lease.close();
        assertThat(held.module(0, "q_proj").a().isReleased()).isTrue();
    }

    /** {@code source}, except that the files of {@code slowName} wait for {@code gate}. */
    /** Polls {@code condition} for up to ten seconds. */
    static void eventually(Callable<Boolean> condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.call()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** A registry whose answers can be held back (until {@code hold} opens) or fail ({@code down}). */
    static final class Registry implements AdapterSource {

        final AdapterSource source;
        final AtomicInteger resolves = new AtomicInteger();
        volatile CountDownLatch hold;
        volatile RuntimeException down;

        Registry(AdapterSource source) {
            this.source = source;
        }

        @Override
        public Optional<AdapterVersion> resolve(String name) {
            resolves.incrementAndGet();
            CountDownLatch gate = hold;
            if (gate != null) {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (down != null) {
                throw down;
            }
            return source.resolve(name);
        }
    }

    static AdapterSource gated(AdapterSource source, String slowName, CountDownLatch gate) {
        return name -> source.resolve(name).map(v -> !v.name().equals(slowName) ? v
                : new AdapterVersion(v.name(), v.version(), v.baseModel(), v.identity(), () -> {
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return v.files().materialize();
                }));
    }
}
