package dev.loraplane.serving;

import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.tokenizer.Tokenizer;
import dev.loraplane.serving.adapters.AdapterCache;
import dev.loraplane.serving.adapters.AdapterSource;
import dev.loraplane.serving.adapters.CompositeAdapterSource;
import dev.loraplane.serving.adapters.LocalAdapters;
import dev.loraplane.serving.api.CompletionBackend;
import dev.loraplane.serving.batch.BatchConfig;
import dev.loraplane.serving.batch.BatchEngine;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One served base model with everything around it: the loaded model and tokenizer, the batch engine,
 * the adapter cache over the adapters {@code load_lora_adapter} registers and a registry, the
 * metrics, and the backend the HTTP layer calls.
 */
public final class Serving implements AutoCloseable {

    /**
     * How it serves.
     *
     * @param maxBatch rows decoded together (vLLM's {@code max_num_seqs})
     * @param maxContext tokens a sequence may hold, prompt and reply; 0 for the model's own limit, at
     *     most {@value #DEFAULT_MAX_CONTEXT} (the KV cache holds this many columns for every row)
     * @param queueCapacity requests that may wait before a 429
     * @param maxLoras distinct adapters in one step (vLLM's {@code max_loras})
     * @param maxCpuLoras adapters kept loaded in host memory (vLLM's {@code max_cpu_loras})
     * @param maxLoraRank the largest rank served (vLLM's {@code max_lora_rank})
     * @param resolveTtl how long a name's newest version is trusted before the registry is asked again
     * @param staleWindow how long past that a resident version is still served at once, while the
     *     registry is asked in the background (and for this long when it cannot be reached)
     * @param adapterLabels adapters named in metric labels, those with the most recent requests; the rest count
     *     as {@code other}
     * @param price what the device serving runs on costs, for the cost series; null for none
     */
    public record Settings(int maxBatch, int maxContext, int queueCapacity, int maxLoras, int maxCpuLoras, int maxLoraRank,
            Duration resolveTtl, Duration staleWindow, int adapterLabels, DevicePrice price) {

        public static final Settings DEFAULTS = new Settings(16, 0, 256, 8, 32, 64, Duration.ofSeconds(2), Duration.ofMinutes(5), 50);

        /** Settings without a device price: no cost series. */
        public Settings(int maxBatch, int maxContext, int queueCapacity, int maxLoras, int maxCpuLoras, int maxLoraRank,
                Duration resolveTtl, Duration staleWindow, int adapterLabels) {
            this(maxBatch, maxContext, queueCapacity, maxLoras, maxCpuLoras, maxLoraRank, resolveTtl, staleWindow, adapterLabels, null);
        }

        /** These settings with serving's device priced. */
        public Settings withPrice(DevicePrice price) {
            return new Settings(maxBatch, maxContext, queueCapacity, maxLoras, maxCpuLoras, maxLoraRank, resolveTtl, staleWindow,
                    adapterLabels, price);
        }
    }

    /** The context served when none is configured and the model's is longer. */
    public static final int DEFAULT_MAX_CONTEXT = 2048;

    private final Llama model;
    private final Tokenizer tokenizer;
    private final BatchEngine engine;
    private final AdapterCache cache;
    private final ServingBackend backend;
    private final ServingMetrics metrics;
    private final ReferenceScorer scorer;

    private Serving(Llama model, Tokenizer tokenizer, BatchEngine engine, AdapterCache cache, ServingBackend backend,
            ServingMetrics metrics, ReferenceScorer scorer) {
        this.metrics = metrics;
        this.model = model;
        this.tokenizer = tokenizer;
        this.engine = engine;
        this.cache = cache;
        this.backend = backend;
        this.scorer = scorer;
    }

    /**
     * Loads {@code modelDir} and starts serving it as {@code name}.
     *
     * @param registry adapters beyond those loaded by path, or null for none
     * @param cacheKey (tenant, adapter name) → the name {@code registry} resolves
     * @param registered the adapters a tenant can name, for {@code /v1/models}
     */
    public static Serving open(Path modelDir, String name, AdapterSource registry, BiFunction<String, String, String> cacheKey,
            Function<String, List<CompletionBackend.ModelCard>> registered, MeterRegistry meters, Settings settings) {
        Llama model = Llama.load(modelDir);
        Tokenizer tokenizer = Tokenizer.load(modelDir);
        int context = settings.maxContext() > 0 ? settings.maxContext()
                : Math.min(model.config().maxPositions(), DEFAULT_MAX_CONTEXT);
        LocalAdapters local = new LocalAdapters();
        AdapterCache cache = AdapterCache.builder()
                .setSource(registry == null ? local : CompositeAdapterSource.of(local, registry))
                .setModel(name, model).setMeterRegistry(meters).optCapacity(settings.maxCpuLoras())
                .optMaxRank(settings.maxLoraRank()).optResolveTtl(settings.resolveTtl())
                .optStaleWindow(settings.staleWindow()).build();
        AtomicReference<ServingMetrics> metrics = new AtomicReference<>();
        BatchEngine engine = new BatchEngine(model, ids -> tokenizer.decode(ids, true),
                new BatchConfig(settings.maxBatch(), context, settings.queueCapacity(), settings.maxLoras()),
                stats -> metrics.get().step(stats));
        metrics.set(new ServingMetrics(meters, settings.adapterLabels(), engine::running, engine::waiting, settings.price()));
        ServingBackend backend = new ServingBackend(name, tokenizer, engine, cache, local, metrics.get(), cacheKey, registered);
        return new Serving(model, tokenizer, engine, cache, backend, metrics.get(),
                new ReferenceScorer(model, name, cache, cacheKey));
    }

    public CompletionBackend backend() {
        return backend;
    }

    /**
     * Keeps an adapter loaded in host memory from now on, whatever the traffic, loading it now.
     *
     * @param key the name the adapter cache knows it by (the registry's, or a loaded adapter's)
     * @return completes once it is loaded; fails as a request for it would (unknown, another base, …)
     */
    public CompletableFuture<Void> pin(String key) {
        return cache.pin(key);
    }

    /** Teacher-forced scoring of reference answers, for evals, under the same names as {@link #backend()}. */
    public ReferenceScorer scorer() {
        return scorer;
    }

    @Override
    public void close() {
        scorer.close();
        engine.close();
        metrics.close();
        cache.close();
        tokenizer.close();
        model.close();
    }
}
