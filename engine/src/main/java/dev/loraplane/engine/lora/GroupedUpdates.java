package dev.loraplane.engine.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@link LoraBatch}'s updates when rows are grouped by adapter into equal chunks ({@link
 * RowGroups}): each chunk's rows are multiplied by their own adapter's factors in batched matmuls,
 * so each row pays for its own adapter only.
 *
 * <pre>
 * Per projection, on input x [B, T, in]:
 *   xc     = x's rows in chunks        [C, m·T, in]    a view when the rows lie in chunk order,
 *                                                      else gathered once per input (q, k and v
 *                                                      read the same one)
 *   up     = (xc · A_c) · B_c          [C, m·T, out]   A_c, B_c: chunk c's slot's factors, the
 *                                                      shrink transposed for many rows
 *   update = up in row order           [B·T, out]      a view, or scattered [B, T, out]
 * </pre>
 *
 * The factors in chunk order are views of the slots' stacks when the chunks are consecutive slots,
 * else gathered once per batch.
 */
final class GroupedUpdates {

    private final AdapterSlots slots;
    private final RowGroups groups;
    /** {@link RowGroups#inPlace}, asked once: it scans every row. */
    private final boolean inPlace;
    private final BatchMapping mapping;
    private final NDManager manager;
    /** Each projection's {@code A [C, in, R]} and {@code B [C, R, out]} in chunk order. */
    private final Map<LoraAdapter.ModuleKey, NDArray[]> factors = new HashMap<>();
    private final Map<Integer, Index> indexes = new HashMap<>();
    /** The input last seen, and it in chunks. */
    private NDArray input;
    private NDArray chunked;
    /** The chunks' slots, when they are not consecutive. */
    private NDArray chunkOrder;

    /** @param manager where this batch's arrays live, for its lifetime */
    GroupedUpdates(AdapterSlots slots, BatchMapping mapping, RowGroups groups, NDManager manager) {
        this.slots = slots;
        this.mapping = mapping;
        this.groups = groups;
        this.inPlace = groups.inPlace();
        this.manager = manager;
    }

    /** The rows' updates, {@code [B·T, out]} or {@code [B, T, out]}, of one projection the slots adapt. */
    NDArray update(LoraAdapter.ModuleKey key, NDArray x) {
        Shape shape = x.getShape();
        long tokens = shape.get(1);
        if (x != input) {
            input = x;
            chunked = inPlace
                    ? x.reshape(groups.chunks(), groups.size() * tokens, shape.get(2))
                    : rows(x.reshape(-1, shape.get(2)), index((int) tokens).gather());
        }
        NDArray[] f = factors.computeIfAbsent(key, k -> {
            NDArray[] stack = slots.module(k);
            return new NDArray[] {inChunkOrder(stack[0]), inChunkOrder(stack[1])};
        });
        NDArray up = LoraBatch.shrinkChunks(chunked, f[0]).matMul(f[1]);           // [C, m·T, out]
        if (inPlace) {
            return up.reshape(-1, up.getShape().get(2));                      // [B·T, out]
        }
        Index index = index((int) tokens);
        NDArray update = rows(up.reshape(-1, up.getShape().get(2)), index.scatter());
        return index.adapted() == null ? update : update.muli(index.adapted());
    }

    /** One stack's slots in chunk order: a view when the chunks are consecutive slots, else a copy. */
    private NDArray inChunkOrder(NDArray stack) {
        int[] chunkSlots = groups.chunkSlots();
        boolean consecutive = true;
        for (int c = 1; consecutive && c < chunkSlots.length; c++) {
            consecutive = chunkSlots[c] == chunkSlots[0] + c;
        }
        if (consecutive) {
            // Built, not parsed from text (a few µs each): a batch takes two per projection.
            return keep(stack.get(new NDIndex().addSliceDim(chunkSlots[0], chunkSlots[0] + chunkSlots.length)));
        }
        if (chunkOrder == null) {
            chunkOrder = keep(manager.create(Arrays.stream(chunkSlots).asLongStream().toArray()));
        }
        return keep(stack.get(chunkOrder));
    }

    /** The rows of a {@code [n, d]} table at {@code index}: libtorch's embedding, whole rows copied. */
    private static NDArray rows(NDArray table, NDArray index) {
        return Embedding.embedding(index, table, SparseFormat.DENSE).singletonOrThrow();
    }

    /**
     * For {@code tokens} tokens per row: the gather index {@code [C, m·T]} into the input's tokens, the
     * scatter index {@code [B, T]} into the chunks' positions, and (when some row has no adapter) a
     * {@code [B, T, 1]} mask zeroing those rows. Built once per token count.
     */
    private Index index(int tokens) {
        return indexes.computeIfAbsent(tokens, t -> {
            NDArray gather = keep(manager.create(groups.gather(t), new Shape(groups.chunks(), (long) groups.size() * t)));
            NDArray scatter = keep(manager.create(groups.scatter(t), new Shape(mapping.rows(), t)));
            if (!groups.hasBaseRows()) {
                return new Index(gather, scatter, null);
            }
            float[] adapted = new float[mapping.rows() * t];
            for (int row = 0; row < mapping.rows(); row++) {
                if (mapping.rowSlots()[row] != BatchMapping.NO_ADAPTER) {
                    Arrays.fill(adapted, row * t, (row + 1) * t, 1f);
                }
            }
            return new Index(gather, scatter, keep(manager.create(adapted, new Shape(mapping.rows(), t, 1))));
        });
    }

    private NDArray keep(NDArray array) {
        return LoraBatch.keep(array, manager);
    }

    /** @param adapted {@code [B, T, 1]}, zero on rows without adapter; null when every row has one */
    private record Index(NDArray gather, NDArray scatter, NDArray adapted) {}
}
