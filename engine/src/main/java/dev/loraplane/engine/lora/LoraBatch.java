package dev.loraplane.engine.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.loraplane.engine.model.Adapters;
import dev.loraplane.engine.model.Linear;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Several adapters applied in one batch, each row through its own (Punica's BGMV, S-LoRA's
 * heterogeneous batching). Per projection:
 *
 * <pre>
 * Semantics:
 *   for each row i of x [B, T, in]:
 *     s = mapping.rowSlots[i]
 *     y[i] = x[i] · Wᵀ + (s == NO_ADAPTER ? 0 : scaling[s] · (x[i] · A[s]ᵀ) · B[s]ᵀ)
 * </pre>
 *
 * When every row shares one adapter, the update is two plain matmuls. Otherwise the slots' factors
 * are stacked once per batch and module, zero-padded to the largest rank {@code R} (padding adds
 * nothing), and the strategy depends on how many columns {@code slots · R} the stack has:
 *
 * <ul>
 *   <li>few ({@code <=} {@link #CONCATENATED_COLUMNS}): every row is multiplied by every slot's
 *       {@code A} side by side, {@code [B, T, in] · [in, slots·R]}, a one-hot mask keeps each row's
 *       own {@code R} columns, and one matmul by the slots' {@code B} stacked {@code [slots·R, out]}
 *       finishes: two plain matmuls that read each adapter once per step;
 *   <li>many: each row gathers its own factors from the stack and the update is two batched
 *       matmuls, so no row pays for the other adapters' columns.
 * </ul>
 *
 * Rows without an adapter get an all-zero mask or point at an all-zero slot.
 */
public final class LoraBatch implements Adapters, AutoCloseable {

    /** The most stacked columns ({@code slots · rank}) for which every row multiplies every slot. */
    public static final int CONCATENATED_COLUMNS = 256;

    private final List<LoraAdapter> slots;
    private final BatchMapping mapping;
    private final NDManager manager;
    private final NDArray rowIndex;
    private final Map<LoraAdapter.ModuleKey, NDArray[]> stacks = new HashMap<>();
    private final Map<Integer, NDArray> masks = new HashMap<>();
    private final int concatenatedColumns;

    /**
     * @param slots the adapters of this batch; the mapping's slot numbers index this list
     * @param manager where the stacked factors live; closed with this batch
     */
    public LoraBatch(List<LoraAdapter> slots, BatchMapping mapping, NDManager manager) {
        this(slots, mapping, manager, CONCATENATED_COLUMNS);
    }

    /** @param concatenatedColumns the most stacked columns for which every row multiplies every slot */
    LoraBatch(List<LoraAdapter> slots, BatchMapping mapping, NDManager manager, int concatenatedColumns) {
        this.concatenatedColumns = concatenatedColumns;
        this.slots = List.copyOf(slots);
        this.mapping = mapping;
        this.manager = manager.newSubManager();
        long[] rows = new long[mapping.rows()];
        for (int i = 0; i < rows.length; i++) {
            int slot = mapping.rowSlots()[i];
            if (slot != BatchMapping.NO_ADAPTER && (slot < 0 || slot >= slots.size())) {
                throw new IllegalArgumentException("row slot " + slot + " outside the " + slots.size() + " adapters of the batch");
            }
            rows[i] = slot == BatchMapping.NO_ADAPTER ? slots.size() : slot;
        }
        this.rowIndex = keep(this.manager.create(rows));
    }

    /** One adapter for every row. */
    public static LoraBatch single(LoraAdapter adapter, int rows, NDManager manager) {
        return new LoraBatch(List.of(adapter), BatchMapping.uniform(rows, 0), manager);
    }

    @Override
    public NDArray project(int layer, String module, Linear base, NDArray x) {
        NDArray y = base.forward(x);
        int common = mapping.commonSlot();
        if (common == BatchMapping.NO_ADAPTER) {
            return y;
        }
        if (common >= 0) {
            LoraAdapter adapter = slots.get(common);
            LoraAdapter.LoraModule m = adapter.module(layer, module);
            if (m == null) {
                return y;
            }
            NDArray down = ai.djl.nn.core.Linear.linear(x, m.a()).singletonOrThrow();
            NDArray up = ai.djl.nn.core.Linear.linear(down, m.b()).singletonOrThrow();
            return y.add(up.mul(adapter.config().scaling()));
        }
        NDArray[] stack = stacks.computeIfAbsent(new LoraAdapter.ModuleKey(layer, module), key -> stack(key, base));
        if (stack == null) {
            return y;
        }
        if (stack[0].getShape().dimension() == 2) {
            long rank = stack[0].getShape().get(1) / slots.size();
            NDArray down = x.matMul(stack[0]).mul(mask((int) rank)); // [B, T, in] · [in, S·r], own r kept
            return y.add(down.matMul(stack[1]));                     // [B, T, S·r] · [S·r, out]
        }
        NDArray down = x.matMul(stack[0].get(rowIndex));   // [B, T, in] · [B, in, r] = [B, T, r]
        return y.add(down.matMul(stack[1].get(rowIndex))); // [B, T, r] · [B, r, out] = [B, T, out]
    }

    /** {@code [B, 1, slots·rank]}: ones at each row's own slot's {@code rank} columns, zeros elsewhere. */
    private NDArray mask(int rank) {
        return masks.computeIfAbsent(rank, r -> {
            int columns = slots.size() * r;
            float[] ones = new float[mapping.rows() * columns];
            for (int i = 0; i < mapping.rows(); i++) {
                int slot = mapping.rowSlots()[i];
                if (slot != BatchMapping.NO_ADAPTER) {
                    Arrays.fill(ones, i * columns + slot * r, i * columns + (slot + 1) * r, 1f);
                }
            }
            return keep(manager.create(ones, new Shape(mapping.rows(), 1, columns)));
        });
    }

    /**
     * Every slot's {@code Aᵀ} stacked {@code [slots + 1, in, r]} and {@code scaling·Bᵀ} stacked
     * {@code [slots + 1, r, out]}, the last slot all zero; or, with few columns, side by side {@code
     * [in, slots·r]} and {@code [slots·r, out]}; null when no slot adapts this module.
     */
    private NDArray[] stack(LoraAdapter.ModuleKey key, Linear base) {
        int rank = 0;
        for (LoraAdapter adapter : slots) {
            if (adapter.module(key.layer(), key.module()) != null) {
                rank = Math.max(rank, adapter.config().r());
            }
        }
        if (rank == 0) {
            return null;
        }
        NDArray a = manager.zeros(new Shape(slots.size() + 1, base.inFeatures(), rank), DataType.FLOAT32);
        NDArray b = manager.zeros(new Shape(slots.size() + 1, rank, base.outFeatures()), DataType.FLOAT32);
        for (int s = 0; s < slots.size(); s++) {
            LoraAdapter adapter = slots.get(s);
            LoraAdapter.LoraModule m = adapter.module(key.layer(), key.module());
            if (m != null) {
                int r = adapter.config().r();
                a.set(new NDIndex("{}, :, :{}", s, r), m.a().transpose());
                b.set(new NDIndex("{}, :{}, :", s, r), m.b().transpose().mul(adapter.config().scaling()));
            }
        }
        if ((long) slots.size() * rank <= concatenatedColumns) {
            int s = slots.size();
            NDArray aSide = a.get(new NDIndex(":{}", s)).transpose(1, 0, 2).reshape(base.inFeatures(), (long) s * rank);
            NDArray bSide = b.get(new NDIndex(":{}", s)).reshape((long) s * rank, base.outFeatures());
            a.close();
            b.close();
            return new NDArray[] {keep(aSide), keep(bSide)};
        }
        return new NDArray[] {keep(a), keep(b)};
    }

    /** Keeps an array for the batch's lifetime, out of any per-step {@link NDScope}. */
    private static NDArray keep(NDArray array) {
        NDScope.unregister(array);
        return array;
    }

    @Override
    public void close() {
        manager.close();
    }
}
