package dev.loraplane.engine.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.loraplane.engine.model.Adapters;
import dev.loraplane.engine.model.Linear;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Several adapters applied in one batch, each row through its own (Punica's BGMV/SGMV, S-LoRA's
 * heterogeneous batching). Per projection:
 *
 * <pre>
 * Semantics:
 *   for each row i of x [B, T, in]:
 *     s = mapping.rowSlots[i]
 *     y[i] = x[i] · Wᵀ + (s == NO_ADAPTER ? 0 : scaling[s] · (x[i] · A[s]ᵀ) · B[s]ᵀ)
 * </pre>
 *
 * The mapping's slots are those of an {@link AdapterSlots}. The base matmul runs once for the whole
 * batch, and the rows' updates, computed first, are summed into its output as it is written
 * ({@link Linear#forward(NDArray, NDArray)}). When every row shares one adapter, the update is two
 * plain matmuls with its own factors.
 * Otherwise the update reads the slots' stacked factors, zero-padded to their common rank
 * {@code R}, over the first {@code k} slots (the highest slot used, plus one), and the strategy
 * depends on how many columns {@code k · R} that is:
 *
 * <ul>
 *   <li>few ({@code <=} {@link #CONCATENATED_COLUMNS}): every row is multiplied by every slot's
 *       {@code A} side by side, {@code [B·T, in] · [k·R, in]ᵀ} ({@link #shrink}; the factors copied
 *       so once per batch), a one-hot mask keeps each row's own {@code R} columns, and one matmul
 *       by the slots' {@code B} stacked
 *       {@code [k·R, out]} finishes: two plain matmuls, at {@code k} times the arithmetic a row needs;
 *   <li>many: the rows are grouped by adapter into equal chunks ({@link RowGroups}), gathered
 *       {@code [chunks, size·T, in]}, multiplied by their chunk's factors in batched matmuls, and
 *       scattered back: each row pays for its own adapter only ({@link GroupedUpdates}; projections
 *       that read the same input gather it once). When the rows already lie in chunk order
 *       ({@link RowGroups#inPlace}) the chunks are a view of the input and the update a view of
 *       the output. When the chunks are consecutive slots the factors are read in place;
 *       otherwise they are gathered once per batch.
 * </ul>
 */
public final class LoraBatch implements Adapters, AutoCloseable {

    /** The most stacked columns ({@code slots · rank}) for which every row multiplies every slot. */
    public static final int CONCATENATED_COLUMNS = 32;
    /** The rows (per chunk) from which {@link #shrink} multiplies transposed. */
    static final int TRANSPOSED_SHRINK_ROWS = 128;

    private final List<LoraAdapter> adapters;
    private AdapterSlots slots;
    private int generation;
    private final BatchMapping mapping;
    private final NDManager manager;
    private final int used;
    private final Strategy strategy;
    private final Map<LoraAdapter.ModuleKey, NDArray[]> factors = new HashMap<>();
    private final Map<Integer, NDArray> masks = new HashMap<>();
    private GroupedUpdates grouped;

    /**
     * @param slots where the mapping's slots are; it must not grow while this batch is in use
     * @param manager where this batch's arrays live; closed with this batch
     */
    public LoraBatch(AdapterSlots slots, BatchMapping mapping, NDManager manager) {
        this(null, slots, mapping, manager, Strategy.DEFAULT);
    }

    LoraBatch(AdapterSlots slots, BatchMapping mapping, NDManager manager, Strategy strategy) {
        this(null, slots, mapping, manager, strategy);
    }

    /**
     * A batch over adapters of its own: slot {@code i} is {@code adapters.get(i)}, copied into
     * stacked factors only if rows use different adapters.
     *
     * @param manager where the stacked factors live; closed with this batch
     */
    public LoraBatch(List<LoraAdapter> adapters, BatchMapping mapping, NDManager manager) {
        this(adapters, mapping, manager, Strategy.DEFAULT);
    }

    LoraBatch(List<LoraAdapter> adapters, BatchMapping mapping, NDManager manager, Strategy strategy) {
        this(List.copyOf(adapters), null, mapping, manager, strategy);
    }

    private LoraBatch(List<LoraAdapter> adapters, AdapterSlots slots, BatchMapping mapping, NDManager manager,
            Strategy strategy) {
        this.adapters = adapters;
        this.slots = slots;
        this.generation = slots == null ? 0 : slots.generation();
        this.mapping = mapping;
        this.manager = manager.newSubManager();
        this.strategy = strategy;
        int count = slots == null ? adapters.size() : slots.slots();
        int highest = -1;
        for (int slot : mapping.rowSlots()) {
            if (slot != BatchMapping.NO_ADAPTER && (slot < 0 || slot >= count || adapter(slot) == null)) {
                throw new IllegalArgumentException("row slot " + slot + " holds no adapter (" + count + " slots)");
            }
            highest = Math.max(highest, slot);
        }
        this.used = highest + 1;
    }

    private LoraAdapter adapter(int slot) {
        return adapters != null ? adapters.get(slot) : slots.adapter(slot);
    }

    /** The slots, made from this batch's own adapters the first time rows differ. */
    private AdapterSlots slots() {
        if (slots == null) {
            slots = new AdapterSlots(adapters.size(), manager);
            for (LoraAdapter adapter : adapters) {
                slots.acquire(adapter, a -> true);
            }
            generation = slots.generation();
        }
        return slots;
    }

    /**
     * Whether a mixed batch of this mapping over these slots gathers its rows into groups, rather
     * than taking them as they lie (runs of one adapter, {@link RowGroups#inPlace}), side by side, or
     * all through one adapter: a scheduler that can reseat rows asks it of the rows as they are and
     * as they could be.
     */
    public static boolean gathersRows(AdapterSlots slots, BatchMapping mapping) {
        int highest = Arrays.stream(mapping.rowSlots()).max().orElse(BatchMapping.NO_ADAPTER);
        return mapping.commonSlot() == Integer.MIN_VALUE
                && (long) (highest + 1) * slots.rank() > Strategy.DEFAULT.sideBySideColumns()
                && !RowGroups.of(mapping, highest + 1).inPlace();
    }

    /** One adapter for every row. */
    public static LoraBatch single(LoraAdapter adapter, int rows, NDManager manager) {
        return new LoraBatch(List.of(adapter), BatchMapping.uniform(rows, 0), manager);
    }

    @Override
    public NDArray project(int layer, String module, Linear base, NDArray x) {
        NDArray update = update(layer, module, x);
        return update == null ? base.forward(x) : base.forward(x, update); // summed inside the matmul
    }

    /**
     * The rows' LoRA updates of one projection, {@code [B, T, out]} or {@code [B·T, out]}, or null
     * where none applies.
     */
    private NDArray update(int layer, String module, NDArray x) {
        int common = mapping.commonSlot();
        if (common == BatchMapping.NO_ADAPTER) {
            return null;
        }
        if (common >= 0) {
            LoraAdapter adapter = adapter(common);
            LoraAdapter.LoraModule m = adapter.module(layer, module);
            if (m == null) {
                return null;
            }
            NDArray down = shrink(x.reshape(-1, x.getShape().tail()), m.a());   // [B·T, r]
            return ai.djl.nn.core.Linear.linear(down, m.b()).singletonOrThrow().muli(adapter.config().scaling());
        }
        AdapterSlots slots = slots();
        if (slots.generation() != generation) {
            throw new IllegalStateException("the adapter slots grew while a batch used them");
        }
        LoraAdapter.ModuleKey key = new LoraAdapter.ModuleKey(layer, module);
        if (slots.module(key) == null) {
            return null;
        }
        if (!sideBySide()) {
            if (grouped == null) {
                grouped = new GroupedUpdates(slots, mapping, RowGroups.of(mapping, used), manager);
            }
            return grouped.update(key, x);
        }
        NDArray[] f = factors.computeIfAbsent(key, this::factors);
        Shape shape = x.getShape();
        NDArray down = shrink(x.reshape(-1, shape.get(2)), f[0]); // [B·T, in] · [k·R, in]ᵀ
        return down.mul(mask((int) shape.get(1))).matMul(f[1]);  // own R kept; · [k·R, out]
    }

    /**
     * {@code x · aᵀ} for rows {@code x [n, in]} and a narrow {@code a [R, in]} (a weight's layout):
     * {@code [n, R]}. With many rows it is computed as {@code (a · xᵀ)ᵀ}, a transposed view that
     * matmuls read as it lies: MKL's GEMM makes a few columns out of many rows slowly and a few rows
     * of many columns fast (on the bench preset, rank 8 of 128 rows per adapter takes a third of the
     * time that way); up to 64 rows (a decode step) the direct product is the faster. Rows, not
     * {@code [B, T, in]}: a matmul of a transposed view with more than two dimensions runs as one
     * matrix-vector product per row.
     */
    static NDArray shrink(NDArray x, NDArray a) {
        return x.getShape().get(0) < TRANSPOSED_SHRINK_ROWS
                ? ai.djl.nn.core.Linear.linear(x, a).singletonOrThrow()
                : a.matMul(x.transpose()).transpose();
    }

    /** {@link #shrink} of each chunk by its own factor: {@code x [C, n, in] · a [C, in, R]}. */
    static NDArray shrinkChunks(NDArray x, NDArray a) {
        return x.getShape().get(1) < TRANSPOSED_SHRINK_ROWS
                ? x.matMul(a)
                : a.swapAxes(1, 2).matMul(x.swapAxes(1, 2)).swapAxes(1, 2);
    }

    /** One projection's stacked factors side by side: {@code A [k·R, in]} (copied) and {@code B [k·R, out]}. */
    private NDArray[] factors(LoraAdapter.ModuleKey key) {
        NDArray[] stack = slots.module(key);
        Shape a = stack[0].getShape();
        long in = a.get(1);
        long rank = a.get(2);
        long out = stack[1].getShape().get(2);
        return new NDArray[] {
            keep(stack[0].get(new NDIndex(":{}", used)).transpose(0, 2, 1).reshape(used * rank, in)),
            keep(stack[1].reshape(a.get(0) * rank, out).get(new NDIndex(":{}", used * rank)))};
    }

    private boolean sideBySide() {
        return (long) used * slots.rank() <= strategy.sideBySideColumns();
    }

    /**
     * {@code [B·T, k·R]} for {@code T} tokens per row: ones at each token's row's slot's {@code R}
     * columns, zeros elsewhere. Built once per token count.
     */
    private NDArray mask(int tokens) {
        return masks.computeIfAbsent(tokens, t -> {
            int r = slots.rank();
            int columns = used * r;
            float[] ones = new float[mapping.rows() * t * columns];
            for (int i = 0; i < mapping.rows() * t; i++) {
                int slot = mapping.rowSlots()[i / t];
                if (slot != BatchMapping.NO_ADAPTER) {
                    Arrays.fill(ones, i * columns + slot * r, i * columns + (slot + 1) * r, 1f);
                }
            }
            return keep(manager.create(ones, new Shape((long) mapping.rows() * t, columns)));
        });
    }

    private NDArray keep(NDArray array) {
        return keep(array, manager);
    }

    /** Keeps an array in a batch's manager for its lifetime, out of any per-step {@link NDScope}. */
    static NDArray keep(NDArray array, NDManager manager) {
        NDScope.unregister(array);
        array.attach(manager);
        return array;
    }

    /**
     * Where a mixed batch changes strategy.
     *
     * @param sideBySideColumns the most stacked columns ({@code slots · rank}) for which every row
     *     multiplies every slot
     */
    record Strategy(int sideBySideColumns) {
        static final Strategy DEFAULT = new Strategy(CONCATENATED_COLUMNS);
    }

    @Override
    public void close() {
        manager.close(); // own slots, when made, live in it too
    }
}
