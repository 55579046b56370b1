package dev.loraplane.engine.lora;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RowGroupsTest {

    private static final int NONE = BatchMapping.NO_ADAPTER;

    @Test
    void rowsOfOneAdapterApartAreGatheredIntoChunksBySlot() {
        RowGroups groups = RowGroups.of(new BatchMapping(new int[] {0, 1, 0, 0, NONE, 1}), 2);
        assertThat(groups.size()).isEqualTo(3);
        assertThat(groups.chunkSlots()).containsExactly(0, 1);
        assertThat(groups.chunkRows()).isDeepEqualTo(new int[][] {{0, 2, 3}, {1, 5, RowGroups.PAD}});
        assertThat(groups.inPlace()).isFalse();
        assertThat(groups.hasBaseRows()).isTrue();
        // Two tokens a row: chunk 1's pad reads token 0; row 4 (no adapter) reads position 0.
        assertThat(groups.gather(2)).containsExactly(0, 1, 4, 5, 6, 7, 2, 3, 10, 11, 0, 0);
        assertThat(groups.scatter(2)).containsExactly(0, 1, 6, 7, 2, 3, 4, 5, 0, 0, 8, 9);
    }

    @Test
    void rowsSeatedInRunsAreChunksInPlaceWhateverTheSlotOrder() {
        RowGroups groups = RowGroups.of(new BatchMapping(new int[] {1, 1, 1, 1, 0, 0}), 2);
        assertThat(groups.size()).isEqualTo(2);
        assertThat(groups.chunkSlots()).containsExactly(1, 1, 0);
        assertThat(groups.inPlace()).isTrue();
        assertThat(groups.gather(2)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        assertThat(groups.scatter(2)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    }

    @Test
    void runsThatWouldMakeMoreChunksThanGroupingByAdapterAreNotTaken() {
        // Runs 2, 2, 1: chunks of one row, five of them; by adapter, chunks of three: two.
        RowGroups groups = RowGroups.of(new BatchMapping(new int[] {1, 1, 0, 0, 1}), 2);
        assertThat(groups.chunkSlots()).containsExactly(0, 1);
        assertThat(groups.inPlace()).isFalse();
    }

    @Test
    void aRowWithoutAdapterRulesOutRuns() {
        RowGroups groups = RowGroups.of(new BatchMapping(new int[] {0, 0, NONE, NONE}), 1);
        assertThat(groups.chunkSlots()).containsExactly(0);
        assertThat(groups.inPlace()).isFalse();
    }
}
