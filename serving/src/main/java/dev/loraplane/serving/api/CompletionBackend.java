package dev.loraplane.serving.api;

import dev.loraplane.engine.generate.SamplingParams;
import dev.loraplane.engine.tokenizer.Tokenizer;
import dev.loraplane.serving.batch.Completion;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the HTTP layer needs from the server behind it: the base model, its tokenizer, and a way to run
 * one request for the base model or an adapter by name.
 */
public interface CompletionBackend {

    /** A model {@code /v1/models} lists: the base ({@code parent} null) or an adapter on it. */
    record ModelCard(String id, String parent, long created) {}

    /** One generation under way. */
    interface Running {

        /** Stops it at the next step (the client went away); the sink hears nothing more. */
        void cancel();
    }

    /** Hears one generation, on the batching thread: each token, then exactly one of finished or failed. */
    interface TokenSink {

        void token(int tokenId);

        /**
         * The engine's account of a generation that ran to its end, just before {@link #finished}:
         * prompt and completion tokens and when they came (evals measure the device with it).
         */
        default void accounted(Completion completion) {}

        /**
         * @param finishReason {@code stop} or {@code length}
         * @param stopString the stop string that ended it, or null
         */
        void finished(String finishReason, String stopString);

        void failed(Throwable error);
    }

    String baseModel();

    Tokenizer tokenizer();

    /** The most tokens a sequence may hold, prompt and completion together. */
    int maxContext();

    /**
     * Starts generating for {@code model}, the base model's name or an adapter's, as {@code tenant} sees
     * it. The future fails with a {@link ServingException} when the model is unknown (404), an adapter
     * of another base (400), or the queue is full (429).
     */
    CompletableFuture<Running> submit(String tenant, String model, int[] promptTokenIds, SamplingParams sampling, TokenSink sink);

    /** The base model and the adapters {@code tenant} can name. */
    List<ModelCard> models(String tenant);

    /** vLLM's {@code load_lora_adapter}: serves the PEFT adapter in {@code path} as {@code name}. */
    void loadAdapter(String name, Path path);

    /** vLLM's {@code unload_lora_adapter}; false when no adapter has that name. */
    boolean unloadAdapter(String name);

    /** Whether it can take requests (the base model is loaded). */
    boolean ready();
}
