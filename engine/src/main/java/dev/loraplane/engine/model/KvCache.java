package dev.loraplane.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every layer for a batch of sequences, preallocated to a fixed number of
 * columns. Sequences are left-padded so that all of them write the same column each step; the
 * attention mask hides each sequence's padding.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;   // per layer [B, kv_heads, capacity, head_dim]
    private final NDArray[] values;
    private final int capacity;
    private int length;

    public KvCache(NDManager parent, ModelConfig config, int batch, int capacity, DataType dtype) {
        this.manager = parent.newSubManager();
        this.capacity = capacity;
        this.keys = new NDArray[config.numLayers()];
        this.values = new NDArray[config.numLayers()];
        Shape shape = new Shape(batch, config.numKvHeads(), capacity, config.headDim());
        for (int i = 0; i < keys.length; i++) {
            keys[i] = manager.zeros(shape, dtype);
            values[i] = manager.zeros(shape, dtype);
        }
    }

    /** Columns filled so far. */
    public int length() {
        return length;
    }

    public int capacity() {
        return capacity;
    }

    /**
     * Writes this step's keys and values {@code [B, kv_heads, T, head_dim]} of one layer at columns
     * {@code [length, length + T)} and returns all columns so far of that layer.
     */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        int t = (int) k.getShape().get(2);
        if (length + t > capacity) {
            throw new IllegalStateException("KV cache full: " + length + " + " + t + " > " + capacity + " columns");
        }
        NDIndex columns = new NDIndex(":, :, {}:{}", length, length + t);
        keys[layer].set(columns, k);
        values[layer].set(columns, v);
        NDIndex filled = new NDIndex(":, :, :{}", length + t);
        return new NDArray[] {keys[layer].get(filled), values[layer].get(filled)};
    }

    /** Marks {@code t} more columns as filled, once every layer has appended them. */
    void advance(int t) {
        length += t;
    }

    @Override
    public void close() {
        manager.close();
    }
}
