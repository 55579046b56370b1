package dev.loraplane.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every layer for a batch of sequences, preallocated to a fixed number of
 * columns. Sequences are left-padded so that all of them write the same column each step; the
 * attention mask hides each sequence's padding. A step over fewer rows than the cache holds writes
 * the leading rows only, so a continuous batch can skip its free trailing rows.
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

    /** Rows the cache holds. */
    public int rows() {
        return (int) keys[0].getShape().get(0);
    }

    /**
     * Writes this step's keys and values {@code [B, kv_heads, T, head_dim]} of one layer at columns
     * {@code [length, length + T)} of the first {@code B} rows and returns all columns so far of
     * those rows.
     */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        long b = k.getShape().get(0);
        int t = (int) k.getShape().get(2);
        if (length + t > capacity) {
            throw new IllegalStateException("KV cache full: " + length + " + " + t + " > " + capacity + " columns");
        }
        NDIndex columns = new NDIndex(":{}, :, {}:{}", b, length, length + t);
        keys[layer].set(columns, k);
        values[layer].set(columns, v);
        NDIndex filled = new NDIndex(":{}, :, :{}", b, length + t);
        return new NDArray[] {keys[layer].get(filled), values[layer].get(filled)};
    }

    /**
     * Copies the filled columns {@code [fromColumn, from.length())} of row {@code fromRow} of {@code
     * from} into row {@code row} of this cache, starting at column {@code column}: a sequence
     * prefilled apart (alone, or left-padded among others) joins a running batch. Those columns must
     * already count as filled here.
     */
    public void copyRow(int row, KvCache from, int fromRow, int fromColumn, int column) {
        int n = from.length - fromColumn;
        if (fromColumn < 0 || n < 0) {
            throw new IllegalArgumentException("column " + fromColumn + " is outside the " + from.length
                    + " filled columns of the source");
        }
        if (column < 0 || column + n > length) {
            throw new IllegalArgumentException("columns [" + column + ", " + (column + n) + ") are outside the "
                    + length + " filled columns");
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDIndex to = new NDIndex("{}, :, {}:{}", row, column, column + n);
            NDIndex source = new NDIndex("{}, :, {}:{}", fromRow, fromColumn, from.length);
            for (int i = 0; i < keys.length; i++) {
                keys[i].set(to, from.keys[i].get(source));
                values[i].set(to, from.values[i].get(source));
            }
        }
    }

    /**
     * Reorders the first {@code from.length} rows: row {@code r} takes what row {@code from[r]} held
     * in the filled columns from {@code fromColumn} on (the columns before it are padding in every
     * row moved).
     */
    public void reorderRows(long[] from, int fromColumn) {
        if (fromColumn < 0 || fromColumn > length) {
            throw new IllegalArgumentException("column " + fromColumn + " is outside the " + length + " filled columns");
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDIndex target = new NDIndex(":{}, :, {}:{}", from.length, fromColumn, length);
            NDIndex source = new NDIndex("{}, :, {}:{}", manager.create(from), fromColumn, length);
            for (int i = 0; i < keys.length; i++) {
                keys[i].set(target, keys[i].get(source)); // the source rows are copied out first
                values[i].set(target, values[i].get(source));
            }
        }
    }

    /** Bytes one row's keys and values take per column, over every layer. */
    public long bytesPerRowColumn() {
        Shape shape = keys[0].getShape();
        return 2L * keys.length * shape.get(1) * shape.get(3) * keys[0].getDataType().getNumOfBytes();
    }

    /**
     * Moves the filled columns of every row {@code columns} to the left, dropping the first ones
     * (compaction), or to the right when negative, leaving stale columns in front; the length changes
     * by {@code -columns}.
     */
    public void shift(int columns) {
        int newLength = length - columns;
        if (newLength < 0 || newLength > capacity) {
            throw new IllegalArgumentException("cannot shift " + length + " filled columns by " + columns
                    + " within " + capacity);
        }
        int kept = Math.min(length, newLength);
        if (kept > 0 && columns != 0) {
            NDIndex from = new NDIndex(":, :, {}:{}", Math.max(columns, 0), Math.max(columns, 0) + kept);
            NDIndex to = new NDIndex(":, :, {}:{}", Math.max(-columns, 0), Math.max(-columns, 0) + kept);
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                for (int i = 0; i < keys.length; i++) {
                    keys[i].set(to, keys[i].get(from).duplicate()); // a copy: source and target overlap
                    values[i].set(to, values[i].get(from).duplicate());
                }
            }
        }
        length = newLength;
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
