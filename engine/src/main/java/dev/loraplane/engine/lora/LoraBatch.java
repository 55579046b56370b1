package dev.loraplane.engine.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.loraplane.engine.model.Adapters;
import dev.loraplane.engine.model.Linear;
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
 * are stacked once per batch and module, zero-padded to the largest rank (padding adds nothing); each
 * step gathers every row's factors from the stack and the update is two batched matmuls. Rows
 * without an adapter point at an all-zero slot.
 */
public final class LoraBatch implements Adapters, AutoCloseable {

    private final List<LoraAdapter> slots;
    private final BatchMapping mapping;
    private final NDManager manager;
    private final NDArray rowIndex;
    private final Map<LoraAdapter.ModuleKey, NDArray[]> stacks = new HashMap<>();

    /**
     * @param slots the adapters of this batch; the mapping's slot numbers index this list
     * @param manager where the stacked factors live; closed with this batch
     */
    public LoraBatch(List<LoraAdapter> slots, BatchMapping mapping, NDManager manager) {
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
        NDArray down = x.matMul(stack[0].get(rowIndex));   // [B, T, in] · [B, in, r] = [B, T, r]
        return y.add(down.matMul(stack[1].get(rowIndex))); // [B, T, r] · [B, r, out] = [B, T, out]
    }

    /**
     * Every slot's {@code Aᵀ} stacked {@code [slots + 1, in, r]} and {@code scaling·Bᵀ} stacked
     * {@code [slots + 1, r, out]}, the last slot all zero; null when no slot adapts this module.
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
