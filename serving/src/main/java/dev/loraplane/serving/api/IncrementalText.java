package dev.loraplane.serving.api;

import dev.loraplane.engine.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a stream of token ids into text pieces to send as they come. Each step decodes only the new
 * tokens with the few before them (a token's leading space depends on what precedes it), as vLLM's
 * incremental detokenizer does, so a long reply costs linear, not quadratic, decoding. A piece is held
 * back while it ends inside a multi-byte character (the decoder shows U+FFFD) or could be the start of
 * a stop string, and the final text ends before the stop string that ended the generation, as OpenAI's
 * does.
 */
final class IncrementalText {

    private final Tokenizer tokenizer;
    private final List<String> stops;
    private final int holdBack;
    private final StringBuilder text = new StringBuilder();
    private int[] ids = new int[16];
    private int count;
    private int prefixOffset;   // tokens before it only give context; their text is in `text`
    private int readOffset;     // tokens before it are in `text`
    private int sent;           // characters of `text` sent

    IncrementalText(Tokenizer tokenizer, List<String> stops) {
        this.tokenizer = tokenizer;
        this.stops = List.copyOf(stops);
        this.holdBack = stops.stream().mapToInt(String::length).max().orElse(1) - 1;
    }

    /** Adds a generated token. */
    void add(int tokenId) {
        if (count == ids.length) {
            ids = Arrays.copyOf(ids, count * 2);
        }
        ids[count++] = tokenId;
    }

    /** The text that can be sent now, possibly empty. */
    String piece() {
        settle(false);
        int safe = text.length() - holdBack;
        for (String stop : stops) {   // the token that completes a stop string may bring text after it too
            int at = text.indexOf(stop, Math.max(0, sent - stop.length() + 1));
            if (at >= 0) {
                safe = Math.min(safe, at);
            }
        }
        while (safe > sent && Character.isHighSurrogate(text.charAt(safe - 1))) {
            safe--;
        }
        if (safe <= sent) {
            return "";
        }
        String piece = text.substring(sent, safe);
        sent = safe;
        return piece;
    }

    /** The rest of the text once the generation ended, cut before {@code stopString} when one ended it. */
    String finish(String stopString) {
        int end = end(stopString);
        String rest = end > sent ? text.substring(sent, end) : "";
        sent = Math.max(sent, end);
        return rest;
    }

    /** All the text generated, cut before {@code stopString}. */
    String whole(String stopString) {
        return text.substring(0, end(stopString));
    }

    int tokens() {
        return count;
    }

    private int end(String stopString) {
        settle(true);
        int at = stopString == null ? -1 : text.indexOf(stopString);
        return at >= 0 ? at : text.length();
    }

    /** Decodes the tokens not yet in {@code text}; unless {@code last}, waits while they end inside a character. */
    private void settle(boolean last) {
        if (readOffset == count) {
            return;
        }
        String before = decode(prefixOffset, readOffset);
        String after = decode(prefixOffset, count);
        if (!last && after.endsWith("\uFFFD")) {
            return;
        }
        if (after.length() > before.length()) {
            text.append(after, before.length(), after.length());
        }
        prefixOffset = readOffset;
        readOffset = count;
    }

    private String decode(int from, int to) {
        return from == to ? "" : tokenizer.decode(Arrays.copyOfRange(ids, from, to), true);
    }
}
