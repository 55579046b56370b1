package dev.loraplane.engine.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loraplane.engine.SharedData;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.model.StepInputs;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Adapter slots and the batches that read them, on the trained stories260K model. */
class AdapterSlotsTest {

    static Llama model;
    static NDManager manager;
    static LoraAdapter r4a;
    static LoraAdapter r4b;
    static LoraAdapter r8;

    @BeforeAll
    static void load() {
        model = Llama.load(SharedData.require("models/stories260K-hf"));
        manager = model.manager().newSubManager();
        r4a = adapter("r4a", 4, List.of("q_proj", "v_proj"), 1);
        r4b = adapter("r4b", 4, List.of("gate_proj", "down_proj", "o_proj"), 2);
        r8 = adapter("r8", 8, LoraConfig.MODULES, 3);
    }

    /** A fresh adapter with a non-zero B, so that it changes the output. */
    private static LoraAdapter adapter(String name, int r, List<String> modules, long seed) {
        LoraAdapter adapter = LoraAdapter.initialize(name, new LoraConfig(r, 2.0 * r, 0, modules, false, "stories260K"), model, seed);
        adapter.modules().values().forEach(m -> m.b().addi(0.05f * seed));
        return adapter;
    }

    @AfterAll
    static void close() {
        if (model != null) {
            List.of(r4a, r4b, r8).forEach(LoraAdapter::close);
            manager.close();
            model.close();
        }
    }

    @Test
    void adaptersTakeTheLowestFreeSlotThenEvictTheLeastRecentlyUsedOneNotInUse() {
        try (AdapterSlots slots = new AdapterSlots(2, manager)) {
            assertThat(slots.acquire(r4a, a -> false)).isZero();
            assertThat(slots.acquire(r4b, a -> false)).isEqualTo(1);
            assertThat(slots.acquire(r4a, a -> false)).as("already in a slot").isZero();
            // r4b is the least recently used now, but in use: r4a gives its slot up.
            assertThat(slots.acquire(r8, a -> a == r4b)).isZero();
            assertThat(slots.slotOf(r4a)).isEqualTo(-1);
            assertThat(slots.adapter(0)).isSameAs(r8);
            assertThatThrownBy(() -> slots.acquire(r4a, a -> true))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("all 2 adapter slots");
        }
    }

    @Test
    void aLargerRankGrowsEverySlotAndKeepsWhatTheyHold() {
        try (AdapterSlots slots = new AdapterSlots(3, manager)) {
            slots.acquire(r4a, a -> false);
            int before = slots.generation();
            assertThat(slots.rank()).isEqualTo(4);
            slots.acquire(r8, a -> false);
            assertThat(slots.rank()).isEqualTo(8);
            assertThat(slots.generation()).isGreaterThan(before);
            assertThat(slots.module(new LoraAdapter.ModuleKey(0, "q_proj"))[0].getShape().get(2)).isEqualTo(8);
            assertMatchesAlone(slots, new int[] {0, 1, 0, BatchMapping.NO_ADAPTER}, LoraBatch.Strategy.DEFAULT);
        }
    }

    @Test
    void rowsOfSlotsReadInPlaceOrGatheredGetWhatEachGetsAlone() {
        // Every slot in use: batch after batch reads the whole stacks and must leave them as they are.
        try (AdapterSlots slots = new AdapterSlots(3, manager)) {
            slots.acquire(r4a, a -> false);
            slots.acquire(r4b, a -> false);
            slots.acquire(r8, a -> false);
            int[][] mappings = {
                {0, 1, 2, BatchMapping.NO_ADAPTER}, // one row per slot: the slots read in place
                {0, 1, 2, BatchMapping.NO_ADAPTER},
                {2, 2, 2, 0, BatchMapping.NO_ADAPTER}, // slot 1 unused, slot 2 in two chunks: gathered
                {1, 0, 1, 0},
                {0, 0, 1, 1}, // rows seated in runs by slot: read in place, factors too
                {2, 2, 0, 0}, // in runs, slots out of order: rows in place, factors gathered
                {1, 1, 2, 2}, // consecutive slots from 1: factors read in place
                {2, 0, 1},
                {1, 1, 0, 0, 1}}; // runs too short: grouped by adapter
            for (int[] rows : mappings) {
                // Grouped, and side by side.
                for (LoraBatch.Strategy strategy : List.of(new LoraBatch.Strategy(0), new LoraBatch.Strategy(1024))) {
                    assertMatchesAlone(slots, rows, strategy);
                }
            }
        }
    }

    @Test
    void longPromptsShrinkTransposedAndGetWhatEachGetsAlone() {
        // Chunks of at least TRANSPOSED_SHRINK_ROWS tokens: grouped, side by side, and alone, each
        // shrinks as (A · xᵀ)ᵀ.
        int[][] prompts = new int[4][];
        for (int b = 0; b < prompts.length; b++) {
            prompts[b] = new int[LoraBatch.TRANSPOSED_SHRINK_ROWS + 3 * b];
            for (int i = 0; i < prompts[b].length; i++) {
                prompts[b][i] = 1 + (i * 37 + b * 11) % 500;
            }
        }
        try (AdapterSlots slots = new AdapterSlots(3, manager)) {
            slots.acquire(r4a, a -> false);
            slots.acquire(r4b, a -> false);
            slots.acquire(r8, a -> false);
            for (int[] rows : new int[][] {{0, 0, 1, 1}, {2, 0, 1, 2}, {1, 2, 0, BatchMapping.NO_ADAPTER}}) {
                for (LoraBatch.Strategy strategy : List.of(new LoraBatch.Strategy(0), new LoraBatch.Strategy(1024))) {
                    assertMatchesAlone(slots, rows, strategy, prompts);
                }
            }
        }
    }

    @Test
    void theTransposedShrinkIsTheSameProduct() {
        try (NDManager m = manager.newSubManager()) {
            for (long rows : new long[] {3, LoraBatch.TRANSPOSED_SHRINK_ROWS + 5}) {
                NDArray rowsOf = m.randomNormal(new Shape(rows, 48));
                NDArray a = m.randomNormal(new Shape(8, 48));
                NDArray shrunk = LoraBatch.shrink(rowsOf, a);
                assertThat(shrunk.getShape()).isEqualTo(new Shape(rows, 8));
                assertThat(maxDiff(shrunk, rowsOf.matMul(a.transpose()))).as("%d rows", rows).isLessThan(1e-4f);
                NDArray x = m.randomNormal(new Shape(2, rows, 48));
                NDArray stack = m.randomNormal(new Shape(2, 48, 8));
                NDArray chunks = LoraBatch.shrinkChunks(x, stack);
                assertThat(chunks.getShape()).isEqualTo(new Shape(2, rows, 8));
                assertThat(maxDiff(chunks, x.matMul(stack))).as("%d rows per chunk", rows).isLessThan(1e-4f);
            }
        }
    }

    private static float maxDiff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    /** Each row's last logits in one mixed batch equal that prompt's run alone with its adapter. */
    private static void assertMatchesAlone(AdapterSlots slots, int[] rowSlots, LoraBatch.Strategy strategy) {
        int[][] prompts = {{1, 5, 9, 300}, {1, 77}, {1, 421, 69, 408, 63, 241}, {1, 12, 13}, {1, 99, 98, 97, 96}};
        assertMatchesAlone(slots, rowSlots, strategy, prompts);
    }

    private static void assertMatchesAlone(AdapterSlots slots, int[] rowSlots, LoraBatch.Strategy strategy, int[][] prompts) {
        int longest = Arrays.stream(prompts).limit(rowSlots.length).mapToInt(p -> p.length).max().orElseThrow();
        int batch = rowSlots.length;
        long[] ids = new long[batch * longest];
        int[] pads = new int[batch];
        for (int b = 0; b < batch; b++) {
            pads[b] = longest - prompts[b].length;
            for (int i = 0; i < prompts[b].length; i++) {
                ids[b * longest + pads[b] + i] = prompts[b][i];
            }
        }
        int vocab = model.config().vocabSize();
        try (NDManager m = manager.newSubManager();
                LoraBatch mixed = new LoraBatch(slots, new BatchMapping(rowSlots), m, strategy)) {
            StepInputs in = StepInputs.leftPadded(m, ids, longest, pads, 0, model.config());
            float[] logits = model.forward(in.inputIds(), in.positions(), in.mask(), null, mixed).toFloatArray();
            for (int b = 0; b < batch; b++) {
                LoraAdapter adapter = rowSlots[b] == BatchMapping.NO_ADAPTER ? null : slots.adapter(rowSlots[b]);
                float[] alone = model.logits(m, prompts[b],
                        adapter == null ? dev.loraplane.engine.model.Adapters.NONE : LoraBatch.single(adapter, 1, m)).toFloatArray();
                float[] expected = Arrays.copyOfRange(alone, alone.length - vocab, alone.length);
                int row = (b * longest + longest - 1) * vocab;
                float[] actual = Arrays.copyOfRange(logits, row, row + vocab);
                float diff = 0;
                for (int i = 0; i < vocab; i++) {
                    diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
                }
                assertThat(diff).as("row %d of %s, %s", b, Arrays.toString(rowSlots), strategy).isLessThan(1e-4f);
            }
        }
    }
}
