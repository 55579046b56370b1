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
 * <p>When every row has an adapter and each adapter's rows come in runs (as a scheduler that seats
 * requests grouped by adapter leaves them), the chunks can instead be the runs cut to a common
 * size, in row order: then the chunks' rows are the batch's rows as they lie ({@link #inPlace}) and
 * need no gathering. That grouping is taken when it makes no more chunks than the one by adapter.
 *
 * <pre>
 * slots  b b b b a a      runs 4, 2: size 2, chunks b b a, rows in place
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
        RowGroups byAdapter = byAdapter(mapping, slots);
        RowGroups inRuns = inRuns(mapping);
        return inRuns != null && inRuns.chunks() <= byAdapter.chunks() ? inRuns : byAdapter;
    }

    /** Chunks of the runs of rows that share an adapter, in row order; null if some row has none. */
    private static RowGroups inRuns(BatchMapping mapping) {
        int[] slots = mapping.rowSlots();
        int size = 0;
        int run = 0;
        for (int row = 0; row < slots.length; row++) {
            if (slots[row] == BatchMapping.NO_ADAPTER) {
                return null;
            }
            run++;
            if (row + 1 == slots.length || slots[row + 1] != slots[row]) {
                size = gcd(size, run);
                run = 0;
            }
        }
        if (size == 0) {
            return null;
        }
        int chunks = slots.length / size;
        int[] chunkSlots = new int[chunks];
        int[][] chunkRows = new int[chunks][size];
        int[] rowPositions = new int[slots.length];
        for (int row = 0; row < slots.length; row++) {
            chunkSlots[row / size] = slots[row];
            chunkRows[row / size][row % size] = row;
            rowPositions[row] = row;
        }
        return new RowGroups(size, chunkSlots, chunkRows, rowPositions);
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private static RowGroups byAdapter(BatchMapping mapping, int slots) {
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
     * For {@code tokens} tokens per row: the token of {@code x[rows · tokens]} (rows and tokens
     * flattened) that each chunk position reads, {@code [chunks · size · tokens]} row-major. Padding
     * reads token 0; its product is never read back.
     */
    long[] gather(int tokens) {
        long[] from = new long[chunks() * size * tokens];
        for (int c = 0; c < chunks(); c++) {
            for (int i = 0; i < size; i++) {
                int row = chunkRows[c][i];
                for (int t = 0; t < tokens; t++) {
                    from[(c * size + i) * tokens + t] = row == PAD ? 0 : (long) row * tokens + t;
                }
            }
        }
        return from;
    }

    /**
     * The inverse of {@link #gather}: for each of the batch's {@code rows · tokens} tokens, the chunk
     * position (flattened as {@link #gather}'s) that holds its product; 0 for a row without adapter
     * (masked out by the caller).
     */
    long[] scatter(int tokens) {
        long[] to = new long[rowPositions.length * tokens];
        for (int row = 0; row < rowPositions.length; row++) {
            int p = rowPositions[row];
            for (int t = 0; t < tokens; t++) {
                to[row * tokens + t] = p == PAD ? 0 : (long) p * tokens + t;
            }
        }
        return to;
    }

    /** Whether the chunks' rows, in order, are the batch's rows as they lie: no gathering needed. */
    boolean inPlace() {
        if (chunks() * size != rowPositions.length) {
            return false;
        }
        for (int row = 0; row < rowPositions.length; row++) {
            if (rowPositions[row] != row) {
                return false;
            }
        }
        return true;
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
