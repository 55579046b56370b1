package dev.loraplane.serving.api;

import dev.loraplane.engine.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a stream of token ids into text pieces to send as they come: a piece is held back while it
 * ends inside a multi-byte character (the decoder shows U+FFFD) or could be the start of a stop string,
 * and the final text ends before the stop string that ended the generation, as OpenAI's does.
 */
final class IncrementalText {

    private final Tokenizer tokenizer;
    private final int holdBack;
    private int[] ids = new int[16];
    private int count;
    private int sent;

    IncrementalText(Tokenizer tokenizer, List<String> stops) {
        this.tokenizer = tokenizer;
        this.holdBack = stops.stream().mapToInt(String::length).max().orElse(1) - 1;
    }

    /** Adds a token; returns the text that can be sent now, possibly empty. */
    String add(int tokenId) {
        if (count == ids.length) {
            ids = Arrays.copyOf(ids, count * 2);
        }
        ids[count++] = tokenId;
        String text = text();
        int safe = text.length() - holdBack;
        while (safe > sent && Character.isHighSurrogate(text.charAt(safe - 1))) {
            safe--;
        }
        if (safe <= sent || text.endsWith("\uFFFD")) {
            return "";
        }
        String piece = text.substring(sent, safe);
        sent = safe;
        return piece;
    }

    /** The rest of the text once the generation ended, cut before {@code stopString} when one ended it. */
    String finish(String stopString) {
        String text = text();
        if (stopString != null) {
            int at = text.indexOf(stopString);
            if (at >= 0) {
                text = text.substring(0, at);
            }
        }
        String rest = text.length() > sent ? text.substring(sent) : "";
        sent = Math.max(sent, text.length());
        return rest;
    }

    /** All the text generated, cut before {@code stopString}. */
    String whole(String stopString) {
        String text = text();
        int at = stopString == null ? -1 : text.indexOf(stopString);
        return at >= 0 ? text.substring(0, at) : text;
    }

    int tokens() {
        return count;
    }

    private String text() {
        return tokenizer.decode(Arrays.copyOf(ids, count), true);
    }
}
