package dev.loraplane.engine.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link LoraBatch}'s updates when rows are grouped by adapter into equal chunks ({@link
 * RowGroups}): each chunk's rows are multiplied by their own adapter's factors in batched matmuls,
 * so each row pays for its own adapter only.
 *
 * <pre>
 * Per input x [B, T, in] and the projections j that read it (q, k, v; gate, up; o; down):
 *   xc   = x's rows in chunks                          [C, m·T, in]    a view when the rows lie in
 *   down = xc · (A_j side by side)                     [C, m·T, n·R]   chunk order, else gathered
 *   up_j = down's R columns of j · B_j                 [C, m·T, out_j]
 *        or (few chunks) down · (B_j block-diagonal)   [C, m·T, Σ out_j], j's columns taken
 *   update_j = up_j back in row order                  [B, T, out_j]   a view, or scattered
 * </pre>
 *
 * Projections that share an input are gathered, shrunk and scattered together, so a step issues
 * fewer, larger operations. With few chunks their expands are one matmul too; with many, a
 * block-diagonal {@code B} would read {@code n} times the bytes of the {@code B}s, so each expands
 * its own columns.
 */
final class GroupedUpdates {

    /** Projections that read the same input, in the order a layer applies them. */
    private static final List<List<String>> SHARED_INPUTS =
            List.of(List.of("q_proj", "k_proj", "v_proj"), List.of("gate_proj", "up_proj"));

    /** The most chunks for which projections that share an input expand by one block-diagonal B. */
    static final int FUSED_EXPAND_CHUNKS = 16;

    private final AdapterSlots slots;
    private final RowGroups groups;
    /** {@link RowGroups#inPlace}, asked once: it scans every row. */
    private final boolean inPlace;
    private final BatchMapping mapping;
    private final NDManager manager;
    private final int fusedExpandChunks;
    private final Map<LoraAdapter.ModuleKey, Family> families = new HashMap<>();
    private final Map<Integer, Index> indexes = new HashMap<>();
    /** The input last seen, it in chunks, and the updates of the families that read it. */
    private NDArray input;
    private NDArray chunked;
    private final Map<Family, NDArray[]> updates = new HashMap<>();
    private NDArray chunkOrder;

    /**
     * @param fusedExpandChunks the most chunks for which projections that share an input expand
     *     together ({@link #FUSED_EXPAND_CHUNKS})
     * @param manager where this batch's arrays live, for its lifetime
     */
    GroupedUpdates(AdapterSlots slots, BatchMapping mapping, RowGroups groups, int fusedExpandChunks,
            NDManager manager) {
        this.slots = slots;
        this.mapping = mapping;
        this.groups = groups;
        this.inPlace = groups.inPlace();
        this.fusedExpandChunks = fusedExpandChunks;
        this.manager = manager;
    }

    /** The rows' updates {@code [B, T, out]} of one projection the slots adapt. */
    NDArray update(LoraAdapter.ModuleKey key, NDArray x) {
        if (x != input) {
            input = x;
            chunked = null;
            updates.clear();
        }
        Family family = families.get(key);
        if (family == null) {
            family = family(key);
            for (LoraAdapter.ModuleKey member : family.members()) {
                families.put(member, family);
            }
        }
        NDArray[] computed = updates.get(family);
        if (computed == null) {
            computed = apply(family, x);
            updates.put(family, computed);
        }
        return computed[family.members().indexOf(key)];
    }

    private NDArray[] apply(Family f, NDArray x) {
        Shape shape = x.getShape();
        long tokens = shape.get(1);
        if (chunked == null) {
            chunked = inPlace
                    ? x.reshape(groups.chunks(), groups.size() * tokens, shape.get(2))
                    : rows(x.reshape(-1, shape.get(2)), index((int) tokens).gather());
        }
        NDArray down = chunked.matMul(f.a());                                   // [C, m·T, n·R]
        int n = f.members().size();
        NDArray[] out = new NDArray[n];
        if (f.blockB() != null) {
            NDArray all = inRowOrder(down.matMul(f.blockB()), shape);          // [B, T, Σ out]
            return all.split(f.outSplits(), 2).toArray(new NDArray[0]);       // views
        }
        NDList own = n == 1 ? new NDList(down) : down.split(f.rankSplits(), 2); // [C, m·T, R] each
        for (int j = 0; j < n; j++) {
            out[j] = inRowOrder(own.get(j).matMul(f.b()[j]), shape);
        }
        return out;
    }

    /** {@code [C, m·T, out]} back to the batch's rows {@code [B, T, out]}, rows without adapter zero. */
    private NDArray inRowOrder(NDArray up, Shape shape) {
        if (inPlace) {
            return up.reshape(shape.get(0), shape.get(1), -1);
        }
        Index index = index((int) shape.get(1));
        NDArray update = rows(up.reshape(-1, up.getShape().get(2)), index.scatter());
        return index.adapted() == null ? update : update.muli(index.adapted());
    }

    /** The projections of {@code key}'s layer that read its input and that some slot adapts. */
    private Family family(LoraAdapter.ModuleKey key) {
        List<String> names = SHARED_INPUTS.stream().filter(s -> s.contains(key.module())).findFirst()
                .orElse(List.of(key.module()));
        List<LoraAdapter.ModuleKey> members = new ArrayList<>();
        for (String name : names) {
            LoraAdapter.ModuleKey member = new LoraAdapter.ModuleKey(key.layer(), name);
            if (slots.module(member) != null) {
                members.add(member);
            }
        }
        int n = members.size();
        long rank = slots.rank();
        NDArray[] a = new NDArray[n];
        NDArray[] b = new NDArray[n];
        long[] outs = new long[n];
        long[] rankSplits = new long[n - 1];
        long[] outSplits = new long[n - 1];
        long total = 0;
        for (int j = 0; j < n; j++) {
            NDArray[] stack = slots.module(members.get(j));
            a[j] = inChunkOrder(stack[0]);                                       // [C, in, R]
            b[j] = inChunkOrder(stack[1]);                                       // [C, R, out]
            outs[j] = b[j].getShape().get(2);
            total += outs[j];
            if (j < n - 1) {
                rankSplits[j] = (j + 1) * rank;
                outSplits[j] = total;
            }
        }
        NDArray sideBySide = n == 1 ? a[0] : keep(NDArrays.concat(new NDList(a), 2));
        NDArray blockB = n > 1 && groups.chunks() <= fusedExpandChunks ? keep(blockDiagonal(b, outs, total)) : null;
        return new Family(List.copyOf(members), sideBySide, b, blockB, rankSplits, outSplits);
    }

    /** {@code [C, n·R, Σ out]}: each {@code B_j} at rows {@code j·R} and its own output columns. */
    private NDArray blockDiagonal(NDArray[] b, long[] outs, long total) {
        NDList rowsOfB = new NDList();
        long at = 0;
        for (int j = 0; j < b.length; j++) {
            Shape s = b[j].getShape();
            NDList columns = new NDList();
            if (at > 0) {
                columns.add(manager.zeros(new Shape(s.get(0), s.get(1), at), DataType.FLOAT32));
            }
            columns.add(b[j]);
            if (total - at - outs[j] > 0) {
                columns.add(manager.zeros(new Shape(s.get(0), s.get(1), total - at - outs[j]), DataType.FLOAT32));
            }
            rowsOfB.add(NDArrays.concat(columns, 2));
            at += outs[j];
        }
        return NDArrays.concat(rowsOfB, 1);
    }

    /** One stack's slots in chunk order: a view when the chunks are consecutive slots, else a copy. */
    private NDArray inChunkOrder(NDArray stack) {
        int[] chunkSlots = groups.chunkSlots();
        boolean consecutive = true;
        for (int c = 1; consecutive && c < chunkSlots.length; c++) {
            consecutive = chunkSlots[c] == chunkSlots[0] + c;
        }
        if (consecutive) {
            return keep(stack.get(new NDIndex("{}:{}", chunkSlots[0], chunkSlots[0] + chunkSlots.length)));
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

    /**
     * Projections that read one input, and their factors in chunk order.
     *
     * @param a their {@code A}s side by side, {@code [C, in, n·R]}
     * @param b each one's {@code B}, {@code [C, R, out_j]}
     * @param blockB their {@code B}s block-diagonal, {@code [C, n·R, Σ out]}; null when chunks are many
     * @param rankSplits where the shrink's columns pass from one projection's {@code R} to the next's
     * @param outSplits where the block-diagonal expand's columns pass from one projection to the next
     */
    private record Family(List<LoraAdapter.ModuleKey> members, NDArray a, NDArray[] b, NDArray blockB,
            long[] rankSplits, long[] outSplits) {}

    /** @param adapted {@code [B, T, 1]}, zero on rows without adapter; null when every row has one */
    private record Index(NDArray gather, NDArray scatter, NDArray adapted) {}
}
