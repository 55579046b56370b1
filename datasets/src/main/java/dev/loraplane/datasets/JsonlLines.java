package dev.loraplane.datasets;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Splits a JSONL byte stream into lines and decodes each as strict UTF-8, holding one line at a
 * time: a multi-gigabyte file is never loaded whole. Lines end at {@code \n}; a trailing {@code \r}
 * and a UTF-8 byte-order mark before line 1 are dropped. Blank lines (spaces, tabs) are counted
 * and skipped.
 */
final class JsonlLines {

    /**
     * A non-blank line.
     *
     * @param number 1-based
     * @param text the decoded text, or null when {@code problem} is set
     * @param problem the invalid UTF-8 in the line, or null
     */
    record Line(long number, String text, Problem problem) {}

    /**
     * @param lines all lines, blank ones included
     * @param blankLines lines holding only spaces and tabs
     */
    record Totals(long lines, long blankLines) {}

    private static final int CHUNK = 1 << 16;

    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private byte[] line = new byte[4096];
    private int length;
    private CharBuffer chars = CharBuffer.allocate(4096);
    private long number;
    private long blankLines;

    private JsonlLines() {}

    /** Calls {@code action} with every non-blank line, in order. */
    static Totals forEach(InputStream in, Consumer<Line> action) throws IOException {
        return new JsonlLines().run(in, action);
    }

    private Totals run(InputStream in, Consumer<Line> action) throws IOException {
        byte[] chunk = new byte[CHUNK];
        int read;
        while ((read = in.read(chunk)) != -1) {
            int start = 0;
            for (int i = 0; i < read; i++) {
                if (chunk[i] == '\n') {
                    append(chunk, start, i - start);
                    emit(action);
                    start = i + 1;
                }
            }
            append(chunk, start, read - start);
        }
        if (length > 0) {
            emit(action);
        }
        return new Totals(number, blankLines);
    }

    private void append(byte[] bytes, int offset, int count) {
        if (length + count > line.length) {
            byte[] grown = new byte[Math.max(line.length * 2, length + count)];
            System.arraycopy(line, 0, grown, 0, length);
            line = grown;
        }
        System.arraycopy(bytes, offset, line, length, count);
        length += count;
    }

    private void emit(Consumer<Line> action) {
        number++;
        int start = 0;
        int end = length;
        length = 0;
        if (end > 0 && line[end - 1] == '\r') {
            end--;
        }
        if (number == 1 && end >= 3 && (line[0] & 0xFF) == 0xEF && (line[1] & 0xFF) == 0xBB && (line[2] & 0xFF) == 0xBF) {
            start = 3;
        }
        if (isBlank(start, end)) {
            blankLines++;
            return;
        }
        action.accept(decode(start, end));
    }

    private boolean isBlank(int start, int end) {
        for (int i = start; i < end; i++) {
            if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
                return false;
            }
        }
        return true;
    }

    private Line decode(int start, int end) {
        ByteBuffer bytes = ByteBuffer.wrap(line, start, end - start);
        // UTF-8 never decodes to more UTF-16 chars than it has bytes.
        if (chars.capacity() < end - start) {
            chars = CharBuffer.allocate(end - start);
        }
        chars.clear();
        decoder.reset();
        CoderResult result = decoder.decode(bytes, chars, true);
        if (result.isError()) {
            int at = bytes.position();
            String detail = String.format("byte %d (0x%02X) is not valid UTF-8", at - start + 1, line[at] & 0xFF);
            return new Line(number, null, Problem.at(number, null, ProblemCode.INVALID_UTF8, detail));
        }
        decoder.flush(chars);
        chars.flip();
        return new Line(number, chars.toString(), null);
    }
}
