package dev.loraplane.engine.accelerator;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Numbers as vendor tools print them: with or without a unit ("81559 MiB", "631.95 W", "27 C",
 * "100 %"), or a placeholder for "no value" ("[N/A]", "N/A", "[Not Supported]", "[Unknown Error]",
 * "[Requested functionality has been deprecated]", an empty cell), which reads as {@code null}.
 */
final class Readings {

    static final long KIB = 1L << 10;
    static final long MIB = 1L << 20;
    static final long GIB = 1L << 30;

    /** A number, then at most one unit word that starts with a non-digit. */
    private static final Pattern NUMBER =
            Pattern.compile("\\s*([-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?)(?:\\s*[^\\d\\s.][^\\s]*)?\\s*");

    private Readings() {}

    /** The number in a cell, ignoring a trailing unit; {@code null} when the cell holds no number. */
    static Double number(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = NUMBER.matcher(text);
        return m.matches() ? Double.valueOf(m.group(1)) : null;
    }

    /** A percentage as a fraction in [0, 1]; tools now and then report a little over 100. */
    static Double fraction(Double percent) {
        return percent == null ? null : Math.max(0.0, Math.min(1.0, percent / 100.0));
    }

    /** {@code value × unitBytes}, rounded; {@code null} stays {@code null}. */
    static Long bytes(Double value, long unitBytes) {
        return value == null ? null : Math.round(value * unitBytes);
    }

    /** The first of the values that is not {@code null}. */
    @SafeVarargs
    static <T> T first(T... values) {
        for (T value : values) {
            if (value != null) {
                return value;
            }
        }
        return null;
    }
}
