package dev.loraplane.engine.lora;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The rows of a batch grouped by adapter into equal chunks, so that one batched matmul of shape
 * {@code [chunks, size, ·]} applies every adapter to its own rows only (Punica's SGMV, padded to a
 * common segment size). The chunk size is the adapted rows divided by the adapters in use, rounded
 * up; an adapter with more rows than that takes several chunks, so the padding never exceeds the
 * adapted rows and every chunk is at least half full on average.
 *
 * <pre>
 * rows  0 1 2 3 4 5      slots  a b a a - b      (- : no adapter)
 * size  ceil(5 / 2) = 3
 * chunk 0: slot a, rows 0 2 3
 * chunk 1: slot b, rows 1 5 (pad)
 * </pre>
 *
 * @param size rows per chunk
 * @param chunkSlots the adapter slot of each chunk
 * @param chunkRows for each chunk, {@code size} batch rows; {@link #PAD} where the chunk is not full
 * @param rowPositions for each batch row, its position {@code chunk · size + i} among the chunks'
 *     rows, or {@link #PAD} for a row without adapter
 */
record RowGroups(int size, int[] chunkSlots, int[][] chunkRows, int[] rowPositions) {

    /** A position that holds no row. */
    static final int PAD = -1;

    static RowGroups of(BatchMapping mapping, int slots) {
        List<List<Integer>> rowsOf = new ArrayList<>();
        for (int s = 0; s < slots; s++) {
            rowsOf.add(new ArrayList<>());
        }
        int adapted = 0;
        int used = 0;
        for (int row = 0; row < mapping.rows(); row++) {
            int slot = mapping.rowSlots()[row];
            if (slot != BatchMapping.NO_ADAPTER) {
                used += rowsOf.get(slot).isEmpty() ? 1 : 0;
                rowsOf.get(slot).add(row);
                adapted++;
            }
        }
        int size = used == 0 ? 1 : (adapted + used - 1) / used;
        List<Integer> chunkSlots = new ArrayList<>();
        List<int[]> chunkRows = new ArrayList<>();
        int[] rowPositions = new int[mapping.rows()];
        Arrays.fill(rowPositions, PAD);
        for (int s = 0; s < slots; s++) {
            List<Integer> rows = rowsOf.get(s);
            for (int from = 0; from < rows.size(); from += size) {
                int[] chunk = new int[size];
                Arrays.fill(chunk, PAD);
                for (int i = 0; i < size && from + i < rows.size(); i++) {
                    chunk[i] = rows.get(from + i);
                    rowPositions[chunk[i]] = chunkRows.size() * size + i;
                }
                chunkSlots.add(s);
                chunkRows.add(chunk);
            }
        }
        return new RowGroups(size, chunkSlots.stream().mapToInt(Integer::intValue).toArray(),
                chunkRows.toArray(int[][]::new), rowPositions);
    }

    int chunks() {
        return chunkSlots.length;
    }

    /**
     * For {@code tokens} tokens per row: which row and which token each chunk position reads, two
     * {@code [chunks, size · tokens]} index arrays row-major, for {@code x[rows, tokens]}. Padding
     * reads row 0; its product is never read back.
     */
    long[][] gather(int tokens) {
        long[] rows = new long[chunks() * size * tokens];
        long[] columns = new long[rows.length];
        for (int c = 0; c < chunks(); c++) {
            for (int i = 0; i < size; i++) {
                int row = chunkRows[c][i];
                for (int t = 0; t < tokens; t++) {
                    int at = (c * size + i) * tokens + t;
                    rows[at] = row == PAD ? 0 : row;
                    columns[at] = row == PAD ? 0 : t;
                }
            }
        }
        return new long[][] {rows, columns};
    }

    /**
     * The inverse of {@link #gather}: for each of the batch's {@code [rows, tokens]} tokens, the chunk
     * and the position in it that hold its product; 0 and 0 for a row without adapter (masked out by
     * the caller).
     */
    long[][] scatter(int tokens) {
        long[] chunks = new long[rowPositions.length * tokens];
        long[] positions = new long[chunks.length];
        for (int row = 0; row < rowPositions.length; row++) {
            for (int t = 0; t < tokens; t++) {
                int p = rowPositions[row];
                chunks[row * tokens + t] = p == PAD ? 0 : p / size;
                positions[row * tokens + t] = p == PAD ? 0 : (long) (p % size) * tokens + t;
            }
        }
        return new long[][] {chunks, positions};
    }

    /** Whether some row has no adapter. */
    boolean hasBaseRows() {
        for (int p : rowPositions) {
            if (p == PAD) {
                return true;
            }
        }
        return false;
    }
}
