package dev.loraplane.engine.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.loraplane.engine.runtime.Torch;
import java.nio.file.Path;

/**
 * A Llama-family causal language model: config and immutable base weights. Per-request state (the
 * KV cache) and adapter weights live outside it, so one instance serves every request.
 */
public final class Llama implements AutoCloseable {

    private final ModelConfig config;
    private final LlamaWeights weights;
    private final Rope rope;
    private final NDManager manager;

    private Llama(ModelConfig config, LlamaWeights weights, NDManager manager) {
        this.config = config;
        this.weights = weights;
        this.rope = new Rope(config);
        this.manager = manager;
    }

    /** Loads a Hugging Face model directory onto the CPU in float32. */
    public static Llama load(Path dir) {
        return load(dir, Device.cpu(), DataType.FLOAT32);
    }

    public static Llama load(Path dir, Device device, DataType dtype) {
        return load(dir, device, dtype, Quantization.NONE);
    }

    /**
     * Loads a Hugging Face model directory; with {@link Quantization#NF4} each layer's seven
     * projections are quantized as they load and their full-precision tensors released.
     */
    public static Llama load(Path dir, Device device, DataType dtype, Quantization quantization) {
        Torch.forceOffline();
        ModelConfig config = ModelConfig.read(dir.resolve("config.json"));
        NDManager manager = Engine.getEngine(Torch.ENGINE).newBaseManager(device);
        try {
            return new Llama(config, LlamaWeights.load(dir, config, manager, dtype, quantization), manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public ModelConfig config() {
        return config;
    }

    public LlamaWeights weights() {
        return weights;
    }

    /** The manager that owns the base weights; per-step arrays belong in sub-managers of it. */
    public NDManager manager() {
        return manager;
    }

    /**
     * Runs the network over {@code T} new tokens of {@code B} left-padded sequences.
     *
     * @param inputIds {@code [B, T]} int64
     * @param positions {@code [B, T]} int64, each sequence counting from 0 at its first real token
     * @param mask {@code [B, 1, 1, T, S]} from {@link AttentionMask}
     * @param cache the sequences' KV cache, or null to attend only among these tokens
     * @return logits {@code [B, T, vocab]}
     */
    public NDArray forward(NDArray inputIds, NDArray positions, NDArray mask, KvCache cache, Adapters adapters) {
        return weights.lmHead().forward(hidden(inputIds, positions, mask, cache, adapters));
    }

    /** The final normalized hidden states {@code [B, T, dim]}, before the LM head. */
    public NDArray hidden(NDArray inputIds, NDArray positions, NDArray mask, KvCache cache, Adapters adapters) {
        NDArray x = embed(inputIds);
        NDArray[] cosSin = rope.cosSin(positions);
        for (int i = 0; i < config.numLayers(); i++) {
            x = DecoderLayer.forward(x, weights.layers().get(i), config, i, cosSin, mask, cache, adapters);
        }
        if (cache != null) {
            cache.advance((int) inputIds.getShape().get(1));
        }
        return RmsNorm.forward(x, weights.norm(), config.rmsNormEps());
    }

    /** Logits {@code [T, vocab]} of one whole sequence, without a cache; every array lives in {@code scope}. */
    public NDArray logits(NDManager scope, int[] tokens, Adapters adapters) {
        long[] ids = new long[tokens.length];
        long[] pos = new long[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            ids[i] = tokens[i];
            pos[i] = i;
        }
        NDArray inputIds = scope.create(ids, new Shape(1, tokens.length));
        NDArray positions = scope.create(pos, new Shape(1, tokens.length));
        NDArray mask = AttentionMask.build(scope, new int[] {0}, 0, tokens.length, config.slidingWindow());
        return forward(inputIds, positions, mask, null, adapters).squeeze(0);
    }

    /** Token embeddings {@code [B, T, dim]}, attached to the ids' manager rather than the weights'. */
    NDArray embed(NDArray inputIds) {
        NDArray x = weights.embedTokens().get(inputIds);
        x.attach(inputIds.getManager());
        return x;
    }

    @Override
    public void close() {
        manager.close();
    }
}
