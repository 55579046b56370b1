package dev.loraplane.k8s;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * How far a followed log has been handed on, so that a stream opened again from the time of its last
 * line ({@code sinceTime}) hands on only the lines after it. The API server stamps each line with the
 * time the kubelet read it ({@code timestamps=true}, RFC 3339 with nanoseconds); lines stamped before
 * the last one handed on were handed on already, and of the lines stamped exactly with it, as many as
 * were handed on are the same ones again.
 */
final class LogCursor {

    private Instant last;
    /** Lines handed on that are stamped exactly {@link #last}. */
    private int atLast;
    /** Lines stamped exactly {@link #last} in the stream now read. */
    private int seenAtLast;

    /** @param since the first line to hand on is the first stamped at or after this; null for the whole log */
    LogCursor(Instant since) {
        this.last = since;
    }

    /** Where to open the next stream from: the last line's time, or null for the whole log. */
    Instant since() {
        return last;
    }

    /** A new stream starts: its lines come from {@link #since} on again. */
    void reopened() {
        seenAtLast = 0;
    }

    /** The line without its time stamp if it is one not handed on yet, else null. */
    String next(String stamped) {
        int space = stamped.indexOf(' ');
        Instant time;
        try {
            time = Instant.parse(space < 0 ? stamped : stamped.substring(0, space));
        } catch (DateTimeParseException e) {
            return stamped;   // not stamped: nothing to tell it by
        }
        String text = space < 0 ? "" : stamped.substring(space + 1);
        int order = last == null ? 1 : time.compareTo(last);
        if (order < 0) {
            return null;
        }
        if (order == 0) {
            if (seenAtLast++ < atLast) {
                return null;
            }
            atLast++;
            return text;
        }
        last = time;
        atLast = 1;
        seenAtLast = 1;
        return text;
    }
}
