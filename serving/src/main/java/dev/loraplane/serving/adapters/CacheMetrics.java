package dev.loraplane.serving.adapters;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The host tier's series: {@code loraplane_adapter_cache_hits_total}, {@code _misses_total},
 * {@code loraplane_adapter_loads_total}, {@code loraplane_adapter_evictions_total}, the histogram
 * {@code loraplane_adapter_load_seconds} and the gauge {@code loraplane_adapters_resident}, each with
 * {@code tier="host"} and no adapter label; and {@code loraplane_adapter_registry_failures_total},
 * resolutions the registry could not answer.
 */
final class CacheMetrics {

    static final String TIER = "host";

    private static final Duration[] LOAD_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    private final Counter hits;
    private final Counter misses;
    private final Counter loads;
    private final Counter evictions;
    private final Timer loadTime;
    private final Counter registryFailures;

    CacheMetrics(MeterRegistry registry, Supplier<Number> resident) {
        hits = Counter.builder("loraplane.adapter.cache.hits").description("Adapter acquires served by an adapter already loaded")
                .tag("tier", TIER).register(registry);
        misses = Counter.builder("loraplane.adapter.cache.misses").description("Adapter acquires that waited for a load")
                .tag("tier", TIER).register(registry);
        loads = Counter.builder("loraplane.adapter.loads").description("Adapters loaded into the tier")
                .tag("tier", TIER).register(registry);
        evictions = Counter.builder("loraplane.adapter.evictions").description("Adapters evicted from the tier to make room")
                .tag("tier", TIER).register(registry);
        loadTime = Timer.builder("loraplane.adapter.load").description("Time to load an adapter into the tier")
                .tag("tier", TIER).serviceLevelObjectives(LOAD_BUCKETS).register(registry);
        registryFailures = Counter.builder("loraplane.adapter.registry.failures")
                .description("Adapter resolutions the registry could not answer: adapters in memory served on, others refused")
                .register(registry);
        Gauge.builder("loraplane.adapters.resident", resident).description("Adapters loaded in the tier")
                .tag("tier", TIER).register(registry);
    }

    void hit() {
        hits.increment();
    }

    void miss() {
        misses.increment();
    }

    void loaded(long nanos) {
        loads.increment();
        loadTime.record(nanos, TimeUnit.NANOSECONDS);
    }

    void evicted() {
        evictions.increment();
    }

    void registryFailed() {
        registryFailures.increment();
    }
}
