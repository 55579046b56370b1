package dev.loraplane.engine.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The adapters a batch can use, each copied once into a numbered slot of stacked factors (vLLM's
 * {@code max_loras} GPU slots, S-LoRA's unified adapter memory). For every adapted projection:
 *
 * <pre>
 * A  [slots, in, R]    slot s holds Aᵀ of its adapter, columns past its rank zero
 * B  [slots, R, out]   slot s holds scaling · Bᵀ, rows past its rank zero
 * </pre>
 *
 * so that the first {@code k} slots read as {@code [k, in, R]} and {@code [k, R, out]} for a batched
 * matmul, and {@code B}'s as {@code [k·R, out]} side by side, without copying. {@code R} is
 * the largest rank loaded so far: smaller ranks are zero-padded into it (padding adds nothing); a
 * larger one grows every stack, which is why {@link #generation()} counts reallocations. A slot is
 * given to a new adapter lowest-free-first, else by evicting the least recently used adapter that
 * the caller says is not in use. Touched by one thread, the batch engine's.
 */
public final class AdapterSlots implements AutoCloseable {

    private final int slots;
    private final NDManager manager;
    private final LoraAdapter[] occupants;
    private final long[] lastUsed;
    private final Map<LoraAdapter.ModuleKey, NDArray[]> stacks = new HashMap<>();
    private int rank;
    private long clock;
    private int generation;

    public AdapterSlots(int slots, NDManager parent) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be >= 1, got " + slots);
        }
        this.slots = slots;
        this.manager = parent.newSubManager();
        this.occupants = new LoraAdapter[slots];
        this.lastUsed = new long[slots];
    }

    public int slots() {
        return slots;
    }

    /** The padded rank of every slot: the largest rank loaded so far. */
    public int rank() {
        return rank;
    }

    /** Changes whenever the stacks are reallocated; arrays read before then are stale. */
    public int generation() {
        return generation;
    }

    /** The adapter in {@code slot}, or null. */
    public LoraAdapter adapter(int slot) {
        return occupants[slot];
    }

    /** The slot holding {@code adapter} (the same object), or -1. */
    public int slotOf(LoraAdapter adapter) {
        for (int s = 0; s < slots; s++) {
            if (occupants[s] == adapter) {
                return s;
            }
        }
        return -1;
    }

    /**
     * The slot of {@code adapter}, copying it in first when it has none: into the lowest free slot,
     * else over the least recently used adapter for which {@code inUse} is false.
     *
     * @throws IllegalStateException when every slot holds an adapter in use
     */
    public int acquire(LoraAdapter adapter, Predicate<LoraAdapter> inUse) {
        int slot = slotOf(adapter);
        if (slot < 0) {
            slot = victim(inUse);
            load(slot, adapter);
        }
        lastUsed[slot] = ++clock;
        return slot;
    }

    private int victim(Predicate<LoraAdapter> inUse) {
        int victim = -1;
        for (int s = 0; s < slots; s++) {
            if (occupants[s] == null) {
                return s;
            }
            if (!inUse.test(occupants[s]) && (victim < 0 || lastUsed[s] < lastUsed[victim])) {
                victim = s;
            }
        }
        if (victim < 0) {
            throw new IllegalStateException("all " + slots + " adapter slots hold adapters in use");
        }
        return victim;
    }

    /**
     * The stacked factors of one projection, {@code {A [slots, in, R], B [slots, R, out]}}, or null
     * when no adapter loaded so far adapts it.
     */
    public NDArray[] module(LoraAdapter.ModuleKey key) {
        return stacks.get(key);
    }

    private void load(int slot, LoraAdapter adapter) {
        if (adapter.config().r() > rank) {
            grow(adapter.config().r());
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (Map.Entry<LoraAdapter.ModuleKey, LoraAdapter.LoraModule> e : adapter.modules().entrySet()) {
                if (!stacks.containsKey(e.getKey())) {
                    long in = e.getValue().a().getShape().get(1);
                    long out = e.getValue().b().getShape().get(0);
                    stacks.put(e.getKey(), new NDArray[] {
                        keep(manager.zeros(new Shape(slots, in, rank), DataType.FLOAT32)),
                        keep(manager.zeros(new Shape(slots, rank, out), DataType.FLOAT32))});
                }
            }
            int r = adapter.config().r();
            float scaling = (float) adapter.config().scaling();
            for (Map.Entry<LoraAdapter.ModuleKey, NDArray[]> e : stacks.entrySet()) {
                NDArray[] stack = e.getValue();
                LoraAdapter.LoraModule m = adapter.module(e.getKey().layer(), e.getKey().module());
                stack[0].set(new NDIndex("{}, :, :", slot), 0f);
                stack[1].set(new NDIndex("{}, :, :", slot), 0f);
                if (m != null) {
                    stack[0].set(new NDIndex("{}, :, :{}", slot, r), m.a().transpose());
                    stack[1].set(new NDIndex("{}, :{}, :", slot, r), m.b().transpose().mul(scaling));
                }
            }
        }
        occupants[slot] = adapter;
    }

    /** Reallocates every stack at rank {@code r}, keeping what the slots hold. */
    private void grow(int r) {
        for (NDArray[] stack : stacks.values()) {
            Shape a = stack[0].getShape();
            Shape b = stack[1].getShape();
            NDArray wideA = keep(manager.zeros(new Shape(slots, a.get(1), r), DataType.FLOAT32));
            NDArray wideB = keep(manager.zeros(new Shape(slots, r, b.get(2)), DataType.FLOAT32));
            if (rank > 0) {
                wideA.set(new NDIndex(":, :, :{}", rank), stack[0]);
                wideB.set(new NDIndex(":, :{}, :", rank), stack[1]);
            }
            stack[0].close();
            stack[1].close();
            stack[0] = wideA;
            stack[1] = wideB;
        }
        rank = r;
        generation++;
    }

    /** Keeps an array for the slots' lifetime, out of any per-step {@link NDScope}. */
    private static NDArray keep(NDArray array) {
        NDScope.unregister(array);
        return array;
    }

    @Override
    public void close() {
        manager.close();
    }
}
