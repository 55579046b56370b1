package dev.loraplane.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.loraplane.engine.runtime.Torch;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Splicing a row in and shifting columns, on a one-layer cache with one KV head of width 2 (both entries equal). */
class KvCacheTest {

    static final ModelConfig CONFIG = new ModelConfig("LlamaForCausalLM", 2, 4, 1, 1, 1, 2, 16, 64, 1e-5, 10000.0,
            null, false, false, false, 0, 1, List.of(2));

    static NDManager manager;

    @BeforeAll
    static void start() {
        Torch.forceOffline();
        manager = Engine.getEngine(Torch.ENGINE).newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    /** Appends one step of {@code values[row][column]} to every layer. */
    private static void append(KvCache cache, float[][] values) {
        int rows = values.length;
        int t = values[0].length;
        float[] flat = new float[rows * t * 2];
        for (int b = 0; b < rows; b++) {
            for (int c = 0; c < t; c++) {
                flat[(b * t + c) * 2] = values[b][c];
                flat[(b * t + c) * 2 + 1] = values[b][c];
            }
        }
        NDArray k = manager.create(flat, new Shape(rows, 1, t, 2));
        cache.append(0, k, k.neg());
        cache.advance(t);
    }

    /** Every filled column's key, per row, read by appending one more column of zeros. */
    private static float[][] keys(KvCache cache) {
        NDArray zeros = manager.zeros(new Shape(cache.rows(), 1, 1, 2), DataType.FLOAT32);
        NDArray[] kv = cache.append(0, zeros, zeros);
        assertThat(kv[1].toFloatArray()).containsExactly(kv[0].neg().toFloatArray(), within(0f));
        float[] all = kv[0].toFloatArray();
        int columns = cache.length();
        float[][] rows = new float[cache.rows()][columns];
        for (int b = 0; b < rows.length; b++) {
            for (int c = 0; c < columns; c++) {
                rows[b][c] = all[(b * (columns + 1) + c) * 2];
            }
        }
        return rows;
    }

    @Test
    void aRowPrefilledAloneIsCopiedIntoItsColumns() {
        try (KvCache batch = new KvCache(manager, CONFIG, 2, 8, DataType.FLOAT32);
                KvCache alone = new KvCache(manager, CONFIG, 1, 3, DataType.FLOAT32)) {
            append(batch, new float[][] {{1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}});
            append(alone, new float[][] {{21, 22, 23}});
            batch.copyRow(1, alone, 0, 0, 2);
            assertThat(keys(batch)).isDeepEqualTo(new float[][] {{1, 2, 3, 4, 5}, {6, 7, 21, 22, 23}});
            assertThatThrownBy(() -> batch.copyRow(0, alone, 0, 0, 3)).hasMessageContaining("outside the 5 filled columns");
        }
    }

    @Test
    void aRowPrefilledLeftPaddedAmongOthersIsCopiedWithoutItsPadding() {
        try (KvCache batch = new KvCache(manager, CONFIG, 2, 8, DataType.FLOAT32);
                KvCache together = new KvCache(manager, CONFIG, 2, 4, DataType.FLOAT32)) {
            append(batch, new float[][] {{1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}});
            append(together, new float[][] {{0, 0, 31, 32}, {41, 42, 43, 44}});
            batch.copyRow(1, together, 0, 2, 3);
            batch.copyRow(0, together, 1, 0, 1);
            assertThat(keys(batch)).isDeepEqualTo(new float[][] {{1, 41, 42, 43, 44}, {6, 7, 8, 31, 32}});
            assertThatThrownBy(() -> batch.copyRow(0, together, 0, 5, 0)).hasMessageContaining("outside the 4 filled columns of the source");
        }
    }

    @Test
    void shiftingLeftDropsTheFirstColumnsAndShiftingRightMakesRoomInFront() {
        try (KvCache cache = new KvCache(manager, CONFIG, 2, 6, DataType.FLOAT32)) {
            append(cache, new float[][] {{1, 2, 3, 4}, {5, 6, 7, 8}});
            cache.shift(1);
            assertThat(cache.length()).isEqualTo(3);
            assertThat(keys(cache)).isDeepEqualTo(new float[][] {{2, 3, 4}, {6, 7, 8}});
            cache.shift(-2);
            assertThat(cache.length()).isEqualTo(5);
            float[][] moved = keys(cache);
            assertThat(new float[] {moved[0][2], moved[0][3], moved[0][4], moved[1][2], moved[1][3], moved[1][4]})
                    .containsExactly(2, 3, 4, 6, 7, 8);
            cache.shift(5);
            assertThat(cache.length()).isZero();
            assertThatThrownBy(() -> cache.shift(-7)).hasMessageContaining("within 6");
        }
    }

    @Test
    void rowsAreReorderedFromAColumnOnKeysAndValuesAlike() {
        try (KvCache cache = new KvCache(manager, CONFIG, 3, 6, DataType.FLOAT32)) {
            append(cache, new float[][] {{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}});
            cache.reorderRows(new long[] {2, 0}, 1);
            // Rows 0 and 1 take rows 2 and 0 from column 1 on; column 0 and row 2 stay as they were.
            assertThat(keys(cache)).isDeepEqualTo(new float[][] {{1, 10, 11, 12}, {5, 2, 3, 4}, {9, 10, 11, 12}});
            assertThat(cache.bytesPerRowColumn()).isEqualTo(2 * 1 * 1 * 2 * 4);
            assertThatThrownBy(() -> cache.reorderRows(new long[] {0}, 5)).hasMessageContaining("outside the 4 filled columns");
        }
    }

    @Test
    void aStepOverFewerRowsWritesTheLeadingRowsOnly() {
        try (KvCache cache = new KvCache(manager, CONFIG, 3, 4, DataType.FLOAT32)) {
            append(cache, new float[][] {{1}, {2}, {3}});
            append(cache, new float[][] {{4}, {5}});
            assertThat(keys(cache)).isDeepEqualTo(new float[][] {{1, 4}, {2, 5}, {3, 0}});
        }
    }
}
