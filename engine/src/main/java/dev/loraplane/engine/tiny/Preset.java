package dev.loraplane.engine.tiny;

/**
 * The shapes of the built-in base models. Both use the byte-level tokenizer of {@link ByteLevelTokenizer};
 * {@code bench} reserves embedding rows past its 261 tokens, as Qwen2.5 (151,936 rows for 151,665
 * tokens) does, so that its LM head has a realistic width.
 *
 * @see TinyModel
 */
public enum Preset {

    /** About 0.9M parameters: the laptop default and the test model; a LoRA fine-tune on two CPU cores takes seconds. */
    TINY("loraplane-tiny", 128, 4, 4, 2, 384, 512, ByteLevelTokenizer.VOCAB_SIZE, false),
    /** About 25M parameters, for throughput measurements. */
    BENCH("loraplane-bench", 512, 8, 8, 4, 1408, 2048, 4096, true);

    private final String modelName;
    private final int hiddenSize;
    private final int numLayers;
    private final int numHeads;
    private final int numKvHeads;
    private final int intermediateSize;
    private final int maxPositions;
    private final int vocabSize;
    private final boolean tieWordEmbeddings;

    Preset(String modelName, int hiddenSize, int numLayers, int numHeads, int numKvHeads, int intermediateSize,
            int maxPositions, int vocabSize, boolean tieWordEmbeddings) {
        this.modelName = modelName;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.numHeads = numHeads;
        this.numKvHeads = numKvHeads;
        this.intermediateSize = intermediateSize;
        this.maxPositions = maxPositions;
        this.vocabSize = vocabSize;
        this.tieWordEmbeddings = tieWordEmbeddings;
    }

    /** The name the rest of loraplane knows the model by, e.g. {@code loraplane-tiny}. */
    public String modelName() {
        return modelName;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    public int numLayers() {
        return numLayers;
    }

    public int numHeads() {
        return numHeads;
    }

    public int numKvHeads() {
        return numKvHeads;
    }

    public int headDim() {
        return hiddenSize / numHeads;
    }

    public int intermediateSize() {
        return intermediateSize;
    }

    public int maxPositions() {
        return maxPositions;
    }

    public int vocabSize() {
        return vocabSize;
    }

    public boolean tieWordEmbeddings() {
        return tieWordEmbeddings;
    }

    /** Weights in the checkpoint; a tied LM head is counted once. */
    public long parameterCount() {
        long d = hiddenSize;
        long kv = (long) numKvHeads * headDim();
        long attention = 2 * d * d + 2 * d * kv;
        long mlp = 3 * d * intermediateSize;
        long layer = attention + mlp + 2 * d;
        long embeddings = (long) vocabSize * d * (tieWordEmbeddings ? 1 : 2);
        return numLayers * layer + embeddings + d;
    }
}
