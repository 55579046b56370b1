package dev.loraplane.engine.lora;

import java.util.Arrays;

/**
 * Which adapter slot each row of a batch uses for one step: the only adapter fact the layers see.
 *
 * @param rowSlots for each batch row, an index into the batch's adapter list, or {@link #NO_ADAPTER}
 */
public record BatchMapping(int[] rowSlots) {

    public static final int NO_ADAPTER = -1;

    public BatchMapping {
        rowSlots = rowSlots.clone();
    }

    /** Every one of {@code rows} rows on the same slot. */
    public static BatchMapping uniform(int rows, int slot) {
        int[] slots = new int[rows];
        Arrays.fill(slots, slot);
        return new BatchMapping(slots);
    }

    public int rows() {
        return rowSlots.length;
    }

    /** The one slot every row uses, or empty-handed ({@code Integer.MIN_VALUE}) when rows differ. */
    int commonSlot() {
        int first = rowSlots.length == 0 ? NO_ADAPTER : rowSlots[0];
        for (int slot : rowSlots) {
            if (slot != first) {
                return Integer.MIN_VALUE;
            }
        }
        return first;
    }
}
