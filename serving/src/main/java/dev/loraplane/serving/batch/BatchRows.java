package dev.loraplane.serving.batch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.loraplane.engine.lora.AdapterSlots;
import dev.loraplane.engine.lora.BatchMapping;
import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.lora.LoraBatch;
import dev.loraplane.engine.model.Adapters;
import dev.loraplane.engine.model.KvCache;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.model.StepInputs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rows of a continuous batch over one slot-based KV cache {@code [maxBatch, kv_heads, capacity,
 * head_dim]} per layer. Every running row writes the same column {@code L} each step; row {@code i}
 * holds its sequence at columns {@code [pad_i, L)} and the mask hides the columns before {@code pad_i}.
 *
 * <pre>
 * join (prompt of p tokens):  prefill it among the prompts admitted with it (left-padded, each
 *                             row its own adapter) into a cache of their own, copy its p columns
 *                             into the row at columns [L - p, L); when L &lt; p, first shift every
 *                             row right by p - L
 * decode step:                rows [0, n) with n = highest running row + 1; a free row feeds any
 *                             token with pad = L, so it attends only to its own column
 * compaction (L = capacity):  shift every row left by the smallest pad; a row with pad 0 has filled
 *                             the whole context and ends with "length"
 * regroup (after joins):      reseat the rows by adapter, moving their cache rows, when that lets
 *                             the LoraBatch read each adapter's rows where they lie
 * </pre>
 *
 * Each adapter a row uses is copied once into a slot of the batch's {@link AdapterSlots} (as many
 * as {@link BatchConfig#maxAdaptersPerStep()}; the least recently used adapter no row uses gives its
 * slot up). The batch's {@link LoraBatch} maps each row to its adapter's slot ({@code NO_ADAPTER} for
 * the base model). It is rebuilt only when a row joins where the batch maps another adapter, or when the rows
 * decoded change in number; a row that leaves keeps its slot until then, its output unread.
 */
final class BatchRows implements AutoCloseable {

    /** The most cache bytes {@link #regroup} moves. */
    static final long REGROUP_BYTES = 32L << 20;

    private final Llama model;
    private final NDManager manager;
    private final KvCache cache;
    private final Sequence[] rows;
    private final AdapterSlots slots;
    private LoraBatch lora;
    /** The adapter {@link #lora} applies to each of its rows, null for none. */
    private LoraAdapter[] mapped = new LoraAdapter[0];
    /** The slots' generation {@link #lora} was made in. */
    private int loraGeneration;

    BatchRows(Llama model, BatchConfig config) {
        this.model = model;
        this.manager = model.manager().newSubManager();
        this.cache = new KvCache(manager, model.config(), config.maxBatch(), config.capacity(), DataType.FLOAT32);
        this.rows = new Sequence[config.maxBatch()];
        this.slots = new AdapterSlots(config.maxAdaptersPerStep(), manager);
    }

    /** The running sequences, by row. */
    List<Sequence> running() {
        List<Sequence> running = new ArrayList<>();
        for (Sequence s : rows) {
            if (s != null) {
                running.add(s);
            }
        }
        return running;
    }

    /** KV-cache columns filled. */
    int columns() {
        return cache.length();
    }

    int free() {
        return rows.length - running().size();
    }

    /** The distinct adapters of the running rows. */
    Set<LoraAdapter> adapters() {
        Set<LoraAdapter> set = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Sequence s : rows) {
            if (s != null && s.adapter() != null) {
                set.add(s.adapter());
            }
        }
        return set;
    }

    /** A cache for {@code rows} prompts of at most {@code p} tokens, prefilled together before they join. */
    KvCache cacheFor(int rows, int p) {
        return new KvCache(manager, model.config(), rows, p, DataType.FLOAT32);
    }

    /**
     * Runs prompts together in one forward pass, left-padded to the longest, each through its own
     * adapter, into {@code together}.
     *
     * @return the logits of each prompt's last position, {@code [prompts, vocab]} row-major
     */
    float[] prefill(List<Sequence> prompts, KvCache together) {
        int longest = together.capacity();
        long[] ids = new long[prompts.size() * longest];
        int[] pads = new int[prompts.size()];
        Set<LoraAdapter> inUse = adapters();
        prompts.stream().map(Sequence::adapter).filter(a -> a != null).forEach(inUse::add);
        int[] rowSlots = new int[prompts.size()];
        boolean adapted = false;
        for (int i = 0; i < prompts.size(); i++) {
            Sequence s = prompts.get(i);
            int[] prompt = s.request.promptTokenIds();
            pads[i] = longest - prompt.length;
            for (int t = 0; t < prompt.length; t++) {
                ids[i * longest + pads[i] + t] = prompt[t];
            }
            rowSlots[i] = s.adapter() == null ? BatchMapping.NO_ADAPTER : slots.acquire(s.adapter(), inUse::contains);
            adapted |= s.adapter() != null;
        }
        try (NDScope scope = new NDScope();
                LoraBatch lora = adapted ? new LoraBatch(slots, new BatchMapping(rowSlots), manager) : null) {
            scope.suppressNotUsedWarning();
            StepInputs in = StepInputs.leftPadded(manager, ids, longest, pads, 0, model.config());
            NDArray hidden = model.hidden(in.inputIds(), in.positions(), in.mask(), together,
                    lora == null ? Adapters.NONE : lora);
            return model.weights().lmHead().forward(hidden.get(new NDIndex(":, -1:, :"))).toFloatArray();
        }
    }

    /** Puts a sequence prefilled in row {@code fromRow} of {@code together} into the lowest free row. */
    void join(Sequence s, KvCache together, int fromRow) {
        int p = s.promptLength();
        if (cache.length() < p) {
            int by = p - cache.length();
            cache.shift(-by);
            for (Sequence r : running()) {
                r.pad += by;
            }
        }
        int row = 0;
        while (rows[row] != null) {
            row++;
        }
        s.row = row;
        s.pad = cache.length() - p;
        cache.copyRow(row, together, fromRow, together.length() - p, s.pad);
        rows[row] = s;
        if (row >= mapped.length || mapped[row] != s.adapter()) {
            closeLora();
        }
    }

    /**
     * Reseats the running rows so that each adapter's lie next to each other (adapters in the order
     * of their first row, rows compacted to the front), when the batch would gather the rows as they
     * are and would not gather the reseated ones, and the cache columns to move are few ({@link
     * #REGROUP_BYTES}): prompts that join together come in runs by adapter, but rows that were
     * running already, or joined a step earlier, break the runs up.
     *
     * @return whether rows moved
     */
    boolean regroup() {
        List<Sequence> running = running();
        int n = rows.length;
        while (n > 0 && rows[n - 1] == null) {
            n--;
        }
        Map<LoraAdapter, Integer> order = new IdentityHashMap<>();
        int fromColumn = cache.length();
        for (Sequence s : running) {
            if (s.adapter() == null || slots.slotOf(s.adapter()) < 0) {
                return false;
            }
            order.putIfAbsent(s.adapter(), order.size());
            fromColumn = Math.min(fromColumn, s.pad);
        }
        List<Sequence> target = new ArrayList<>(running);
        target.sort(Comparator.comparingInt(s -> order.get(s.adapter())));
        int[] now = new int[n];
        for (int i = 0; i < n; i++) {
            now[i] = rows[i] == null ? BatchMapping.NO_ADAPTER : slots.slotOf(rows[i].adapter());
        }
        int[] then = target.stream().mapToInt(s -> slots.slotOf(s.adapter())).toArray();
        long bytes = (long) target.size() * (cache.length() - fromColumn) * cache.bytesPerRowColumn();
        if (order.size() < 2 || bytes > REGROUP_BYTES || !LoraBatch.gathersRows(slots, new BatchMapping(now))
                || LoraBatch.gathersRows(slots, new BatchMapping(then))) {
            return false;
        }
        cache.reorderRows(target.stream().mapToLong(s -> s.row).toArray(), fromColumn);
        Arrays.fill(rows, null);
        for (int r = 0; r < target.size(); r++) {
            rows[r] = target.get(r);
            rows[r].row = r;
        }
        closeLora();
        return true;
    }

    void leave(Sequence s) {
        rows[s.row] = null;
        s.row = -1;
        if (running().isEmpty()) {
            cache.shift(cache.length());
        }
    }

    /**
     * Frees column {@code L} for the next step when the cache is full, by compaction.
     *
     * @return the sequences that filled the whole context, removed from their rows
     */
    List<Sequence> makeRoom() {
        List<Sequence> full = new ArrayList<>();
        while (cache.length() == cache.capacity() && !running().isEmpty()) {
            int smallest = running().stream().mapToInt(s -> s.pad).min().orElseThrow();
            if (smallest == 0) {
                for (Sequence s : running()) {
                    if (s.pad == 0) {
                        full.add(s);
                        leave(s);
                    }
                }
            } else {
                cache.shift(smallest);
                for (Sequence s : running()) {
                    s.pad -= smallest;
                }
            }
        }
        return full;
    }

    /**
     * One decode step over rows {@code [0, n)}: each running row feeds its newest token at column
     * {@code L}.
     *
     * @return logits {@code [n, vocab]}, row-major; row {@code i} at offset {@code i · vocab}
     */
    float[] decode() {
        int n = 0;
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] != null) {
                n = i + 1;
            }
        }
        if (lora == null || mapped.length != n || loraGeneration != slots.generation()) {
            closeLora();
            lora = lora(n);
            loraGeneration = slots.generation();
        }
        int length = cache.length();
        long[] ids = new long[n];
        int[] pads = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = rows[i] == null ? 0 : rows[i].lastTokenId();
            pads[i] = rows[i] == null ? length : rows[i].pad;
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            StepInputs in = StepInputs.leftPadded(manager, ids, 1, pads, length, model.config());
            NDArray hidden = model.hidden(in.inputIds(), in.positions(), in.mask(), cache, lora);
            return model.weights().lmHead().forward(hidden).toFloatArray();
        }
    }

    /**
     * The adapters of rows {@code [0, n)}, by their slots. When every running row has the same
     * adapter, free rows take it too, so the step takes {@link LoraBatch}'s one-adapter path.
     */
    private LoraBatch lora(int n) {
        Set<LoraAdapter> inUse = adapters();
        int[] rowSlots = new int[n];
        int common = BatchMapping.NO_ADAPTER;
        boolean same = true;
        boolean first = true;
        for (int i = 0; i < n; i++) {
            if (rows[i] == null) {
                continue;
            }
            LoraAdapter adapter = rows[i].adapter();
            rowSlots[i] = adapter == null ? BatchMapping.NO_ADAPTER : slots.acquire(adapter, inUse::contains);
            same &= first || rowSlots[i] == common;
            common = rowSlots[i];
            first = false;
        }
        mapped = new LoraAdapter[n];
        for (int i = 0; i < n; i++) {
            if (rows[i] == null) {
                rowSlots[i] = same ? common : BatchMapping.NO_ADAPTER;
            }
            mapped[i] = rowSlots[i] == BatchMapping.NO_ADAPTER ? null : slots.adapter(rowSlots[i]);
        }
        return new LoraBatch(slots, new BatchMapping(rowSlots), manager);
    }

    private void closeLora() {
        if (lora != null) {
            lora.close();
            lora = null;
            mapped = new LoraAdapter[0];
        }
    }

    @Override
    public void close() {
        closeLora();
        slots.close();
        manager.close();
    }
}
