package dev.loraplane.engine.tokenizer;

import com.hubspot.jinjava.objects.SafeString;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps} as transformers' {@code tojson} filter calls it ({@code ensure_ascii=False}
 * by default): separators {@code ", "} and {@code ": "}, or {@code ","} and newlines when indented,
 * floats as Python prints them. Templates embed this text in prompts, so it must match to the byte.
 */
final class PythonJson {

    private final boolean ensureAscii;
    private final String indent;
    private final String itemSeparator;
    private final String keySeparator;
    private final boolean sortKeys;
    private final StringBuilder out = new StringBuilder();

    /**
     * @param indent spaces per level, or a negative number for one line
     * @param separators {@code [item, key]} separators, or null for Python's defaults
     */
    PythonJson(boolean ensureAscii, int indent, List<String> separators, boolean sortKeys) {
        this.ensureAscii = ensureAscii;
        this.indent = indent < 0 ? null : " ".repeat(indent);
        this.itemSeparator = separators != null ? separators.get(0) : indent < 0 ? ", " : ",";
        this.keySeparator = separators != null ? separators.get(1) : ": ";
        this.sortKeys = sortKeys;
    }

    String dumps(Object value) {
        out.setLength(0);
        write(value, 0);
        return out.toString();
    }

    private void write(Object value, int depth) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long
                || value instanceof Short || value instanceof Byte || value instanceof BigInteger) {
            out.append(value);
        } else if (value instanceof Number number) {
            out.append(pythonFloat(number.doubleValue()));
        } else if (value instanceof Map<?, ?> map) {
            List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
            if (sortKeys) {
                entries.sort((a, b) -> key(a.getKey()).compareTo(key(b.getKey())));
            }
            writeContainer('{', '}', entries.iterator(), depth, (entry, d) -> {
                string(key(entry.getKey()));
                out.append(keySeparator);
                write(entry.getValue(), d);
            });
        } else if (value instanceof Iterable<?> items) {
            writeContainer('[', ']', items.iterator(), depth, this::write);
        } else if (value instanceof Object[] array) {
            writeContainer('[', ']', Arrays.asList(array).iterator(), depth, this::write);
        } else if (value instanceof CharSequence || value instanceof Character
                || value instanceof SafeString) {
            string(value.toString());
        } else {
            throw new IllegalArgumentException("Object of type " + value.getClass().getSimpleName()
                    + " is not JSON serializable");
        }
    }

    private interface ItemWriter<T> {
        void write(T item, int depth);
    }

    private <T> void writeContainer(char open, char close, Iterator<T> items, int depth, ItemWriter<T> item) {
        out.append(open);
        if (!items.hasNext()) {
            out.append(close);
            return;
        }
        boolean first = true;
        while (items.hasNext()) {
            if (!first) {
                out.append(itemSeparator);
            }
            newline(depth + 1);
            item.write(items.next(), depth + 1);
            first = false;
        }
        newline(depth);
        out.append(close);
    }

    private void newline(int depth) {
        if (indent != null) {
            out.append('\n').append(indent.repeat(depth));
        }
    }

    /** Python converts keys to strings: {@code True} becomes "true", {@code None} "null". */
    private static String key(Object key) {
        return key == null ? "null" : key.toString();
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || (ensureAscii && c > 0x7e)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** {@code repr(float)}: positional between 1e-4 and 1e16 (always with a decimal point), else 1e-05 style. */
    static String pythonFloat(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        BigDecimal value = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        String digits = value.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - value.scale();
        String sign = d < 0 ? "-" : "";
        if (exponent >= -4 && exponent < 16) {
            String plain = value.abs().toPlainString();
            return sign + (plain.contains(".") ? plain : plain + ".0");
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
    }
}
