package dev.loraplane.datasets.pack;

import dev.loraplane.datasets.encode.EncodedExample;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Puts encoded examples into rows of {@code sequenceLength} tokens.
 *
 * <p>With packing, examples are placed best-fit in the order given: each goes into the open row
 * with the least room that still fits it whole (the oldest such row on a tie), or opens a new row.
 * An example is never split across rows, and the same input in the same order always packs the
 * same way. Without packing, every example gets a row of its own. Rows come out in the order they
 * were opened, padded at the end.
 */
public final class Packer {

    private final int sequenceLength;
    private final int padTokenId;
    private final boolean packing;

    /**
     * @param sequenceLength the row length; no example may be longer
     * @param padTokenId the token that fills the end of a row
     * @param packing whether a row may hold more than one example
     */
    public Packer(int sequenceLength, int padTokenId, boolean packing) {
        if (sequenceLength <= 0) {
            throw new IllegalArgumentException("sequenceLength must be positive, got " + sequenceLength);
        }
        this.sequenceLength = sequenceLength;
        this.padTokenId = padTokenId;
        this.packing = packing;
    }

    /** Packs the kept examples; examples the encoder dropped are skipped. */
    public List<PackedSequence> pack(List<EncodedExample> examples) {
        List<Row> rows = new ArrayList<>();
        TreeMap<Integer, ArrayDeque<Row>> byRoom = new TreeMap<>();
        for (EncodedExample example : examples) {
            if (!example.kept()) {
                continue;
            }
            int length = example.length();
            if (length > sequenceLength) {
                throw new IllegalArgumentException("an example of " + length + " tokens does not fit a sequence of "
                        + sequenceLength + "; encode with maxTokens <= sequenceLength");
            }
            Row row = packing ? take(byRoom, length) : null;
            if (row == null) {
                row = new Row();
                rows.add(row);
            }
            row.add(example);
            int room = sequenceLength - row.used;
            if (packing && room > 0) {
                byRoom.computeIfAbsent(room, r -> new ArrayDeque<>()).addLast(row);
            }
        }
        List<PackedSequence> packed = new ArrayList<>(rows.size());
        for (Row row : rows) {
            packed.add(row.toSequence());
        }
        return packed;
    }

    /** Removes and returns the row with the least room of at least {@code length}, or null. */
    private static Row take(TreeMap<Integer, ArrayDeque<Row>> byRoom, int length) {
        Map.Entry<Integer, ArrayDeque<Row>> entry = byRoom.ceilingEntry(length);
        if (entry == null) {
            return null;
        }
        Row row = entry.getValue().pollFirst();
        if (entry.getValue().isEmpty()) {
            byRoom.remove(entry.getKey());
        }
        return row;
    }

    /** A row being filled. */
    private final class Row {
        final int[] tokens = new int[sequenceLength];
        final boolean[] lossMask = new boolean[sequenceLength];
        final int[] positions = new int[sequenceLength];
        final int[] segments = new int[sequenceLength];
        int used;
        int count;

        void add(EncodedExample example) {
            count++;
            int n = example.length();
            System.arraycopy(example.tokens(), 0, tokens, used, n);
            System.arraycopy(example.lossMask(), 0, lossMask, used, n);
            lossMask[used] = false;
            for (int i = 0; i < n; i++) {
                positions[used + i] = i;
                segments[used + i] = count;
            }
            used += n;
        }

        PackedSequence toSequence() {
            Arrays.fill(tokens, used, sequenceLength, padTokenId);
            return new PackedSequence(tokens, lossMask, positions, segments, count, used);
        }
    }
}
