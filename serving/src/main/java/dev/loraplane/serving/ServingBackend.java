package dev.loraplane.serving;

import dev.loraplane.engine.generate.SamplingParams;
import dev.loraplane.engine.tokenizer.Tokenizer;
import dev.loraplane.serving.adapters.AdapterCache;
import dev.loraplane.serving.adapters.AdapterException;
import dev.loraplane.serving.adapters.AdapterLease;
import dev.loraplane.serving.adapters.LocalAdapters;
import dev.loraplane.serving.adapters.UnknownAdapterException;
import dev.loraplane.serving.api.CompletionBackend;
import dev.loraplane.serving.api.ServingException;
import dev.loraplane.serving.batch.BatchEngine;
import dev.loraplane.serving.batch.Completion;
import dev.loraplane.serving.batch.SequenceHandle;
import dev.loraplane.serving.batch.SequenceListener;
import dev.loraplane.serving.batch.SequenceRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The engine behind the HTTP layer: the base model's requests go straight to the batch engine, an
 * adapter's first through the adapter cache (a lease keeps the adapter loaded until its request ends),
 * so requests for different adapters and the base run in the same batch.
 */
public final class ServingBackend implements CompletionBackend {

    private final String baseModel;
    private final Tokenizer tokenizer;
    private final BatchEngine engine;
    private final AdapterCache cache;
    private final LocalAdapters local;
    private final ServingMetrics metrics;
    private final BiFunction<String, String, String> cacheKey;
    private final Function<String, List<ModelCard>> registered;
    private final long started = System.currentTimeMillis() / 1000;

    /**
     * @param local the adapters {@code load_lora_adapter} registers (also a source of {@code cache})
     * @param cacheKey (tenant, adapter name) → the name the cache resolves: the name itself when serving
     *     alone, the tenant's own name in the control plane, so one tenant never reaches another's adapter
     * @param registered the adapters a tenant can name, for {@code /v1/models}, beside those loaded here
     */
    public ServingBackend(String baseModel, Tokenizer tokenizer, BatchEngine engine, AdapterCache cache, LocalAdapters local,
            ServingMetrics metrics, BiFunction<String, String, String> cacheKey, Function<String, List<ModelCard>> registered) {
        this.baseModel = baseModel;
        this.tokenizer = tokenizer;
        this.engine = engine;
        this.cache = cache;
        this.local = local;
        this.metrics = metrics;
        this.cacheKey = cacheKey;
        this.registered = registered;
    }

    @Override
    public String baseModel() {
        return baseModel;
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public int maxContext() {
        return engine.config().capacity();
    }

    @Override
    public CompletableFuture<Running> submit(String tenant, String model, int[] prompt, SamplingParams sampling, TokenSink sink) {
        if (model.equals(baseModel)) {
            return CompletableFuture.completedFuture(run(tenant, null, prompt, sampling, sink, null));
        }
        String key = cacheKey.apply(tenant, model);
        return cache.acquire(key).handle((lease, error) -> {
            if (error != null) {
                throw new CompletionException(userFacing(unwrap(error), key, model));
            }
            try {
                return run(tenant, model, prompt, sampling, sink, lease);
            } catch (RuntimeException e) {
                lease.close();
                throw e;
            }
        });
    }

    private Running run(String tenant, String adapter, int[] prompt, SamplingParams sampling, TokenSink sink, AdapterLease lease) {
        SequenceHandle handle = engine.submit(new SequenceRequest(prompt, sampling, lease == null ? null : lease.adapter(),
                new SequenceListener() {
                    @Override
                    public void onToken(int tokenId) {
                        sink.token(tokenId);
                    }

                    @Override
                    public void onComplete(Completion completion) {
                        release(lease);
                        metrics.completed(tenant, adapter, completion);
                        if (!Completion.CANCELLED.equals(completion.finishReason())) {
                            sink.accounted(completion);
                            sink.finished(completion.finishReason(), completion.stopString());
                        }
                    }

                    @Override
                    public void onFailure(RuntimeException error) {
                        release(lease);
                        sink.failed(error);
                    }
                }));
        return handle::cancel;
    }

    private static void release(AdapterLease lease) {
        if (lease != null) {
            lease.close();
        }
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** The cache's error, with the name the user asked for instead of the cache's key for it. */
    private static Throwable userFacing(Throwable error, String key, String model) {
        if (error instanceof UnknownAdapterException) {
            return ServingException.unknownModel(model);
        }
        if (error instanceof AdapterException && !key.equals(model)) {
            return ServingException.invalid("model", error.getMessage().replace(key, model));
        }
        return error;
    }

    @Override
    public List<ModelCard> models(String tenant) {
        List<ModelCard> cards = new ArrayList<>();
        cards.add(new ModelCard(baseModel, null, started));
        local.names().forEach(name -> cards.add(new ModelCard(name, baseModel, started)));
        registered.apply(tenant).stream().filter(c -> cards.stream().noneMatch(k -> k.id().equals(c.id()))).forEach(cards::add);
        return cards;
    }

    @Override
    public void loadAdapter(String name, Path path) {
        try {
            local.register(name, path);
        } catch (IllegalArgumentException e) {
            throw ServingException.invalid("lora_path", e.getMessage());
        }
        cache.invalidate(name);   // a name registered again takes effect now, not at the next resolve
    }

    @Override
    public boolean unloadAdapter(String name) {
        boolean known = local.unregister(name);
        cache.invalidate(name);
        return known;
    }

    @Override
    public boolean ready() {
        return true;
    }
}
