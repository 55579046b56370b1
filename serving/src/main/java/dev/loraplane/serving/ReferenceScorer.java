package dev.loraplane.serving;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loraplane.engine.lora.LoraBatch;
import dev.loraplane.engine.model.Adapters;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.serving.adapters.AdapterCache;
import dev.loraplane.serving.adapters.AdapterLease;
import dev.loraplane.serving.adapters.UnknownAdapterException;
import dev.loraplane.serving.api.ServingException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiFunction;

/**
 * Teacher-forced scoring of a reference answer under the base model or an adapter: one forward pass
 * over prompt and reference together, then at each reference position the log-softmax of the logits
 * that precede it. Runs on a thread of its own, beside the batch engine, with the adapter leased
 * from the same cache (so it stays loaded until the pass ends).
 *
 * <pre>
 * Semantics, for prompt p[0..P) and reference r[0..R):
 *   x = p ++ r;  logits = model(x)              // [P+R, vocab]
 *   for j in 0..R:  row = logits[P + j − 1]
 *     loss    += logsumexp(row) − row[r[j]]
 *     correct += argmax(row) == r[j]
 * </pre>
 */
public final class ReferenceScorer implements AutoCloseable {

    private final Llama model;
    private final String baseModel;
    private final AdapterCache cache;
    private final BiFunction<String, String, String> cacheKey;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(task -> {
        Thread t = new Thread(task, "loraplane-reference-scorer");
        t.setDaemon(true);
        return t;
    });

    ReferenceScorer(Llama model, String baseModel, AdapterCache cache, BiFunction<String, String, String> cacheKey) {
        this.model = model;
        this.baseModel = baseModel;
        this.cache = cache;
        this.cacheKey = cacheKey;
    }

    /**
     * Scores {@code reference} after {@code prompt} under {@code model} (the base model's name or an
     * adapter's, as {@code tenant} sees it). Fails with a {@link ServingException} for an unknown model,
     * or when prompt and reference do not fit the model's positions.
     */
    public CompletableFuture<ReferenceScore> score(String tenant, String model, int[] prompt, int[] reference) {
        if (prompt.length == 0 || reference.length == 0) {
            return CompletableFuture.failedFuture(ServingException.invalid("prompt", "scoring needs a prompt and a reference of at"
                    + " least one token each"));
        }
        if (prompt.length + reference.length > this.model.config().maxPositions()) {
            return CompletableFuture.failedFuture(ServingException.invalid("prompt", "prompt and reference are "
                    + (prompt.length + reference.length) + " tokens; this model holds " + this.model.config().maxPositions()));
        }
        if (model.equals(baseModel)) {
            return CompletableFuture.supplyAsync(() -> forward(prompt, reference, null), thread);
        }
        return cache.acquire(cacheKey.apply(tenant, model)).handle((lease, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                throw new CompletionException(cause instanceof UnknownAdapterException ? ServingException.unknownModel(model) : cause);
            }
            return lease;
        }).thenApplyAsync(lease -> {
            try (lease) {
                return forward(prompt, reference, lease);
            }
        }, thread);
    }

    private ReferenceScore forward(int[] prompt, int[] reference, AdapterLease lease) {
        int[] tokens = new int[prompt.length + reference.length];
        System.arraycopy(prompt, 0, tokens, 0, prompt.length);
        System.arraycopy(reference, 0, tokens, prompt.length, reference.length);
        try (NDManager scope = model.manager().newSubManager()) {
            Adapters adapters = lease == null ? Adapters.NONE : LoraBatch.single(lease.adapter(), 1, scope);
            NDArray logits = model.logits(scope, tokens, adapters);
            int vocab = (int) logits.getShape().get(1);
            float[] rows = logits.get(prompt.length - 1 + ":" + (tokens.length - 1)).toFloatArray();
            int correct = 0;
            double loss = 0;
            for (int j = 0; j < reference.length; j++) {
                int at = j * vocab;
                int best = 0;
                double max = Double.NEGATIVE_INFINITY;
                for (int v = 0; v < vocab; v++) {
                    if (rows[at + v] > max) {
                        max = rows[at + v];
                        best = v;
                    }
                }
                double sum = 0;
                for (int v = 0; v < vocab; v++) {
                    sum += Math.exp(rows[at + v] - max);
                }
                loss += max + Math.log(sum) - rows[at + reference[j]];
                if (best == reference[j]) {
                    correct++;
                }
            }
            return new ReferenceScore(reference.length, correct, loss);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
