package dev.loraplane.engine.tokenizer;

import java.time.LocalDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/**
 * Python's {@code datetime.strftime} in the C locale, for the {@code strftime_now} function that
 * transformers gives chat templates (Llama 3.2 writes {@code strftime_now("%d %b %Y")} into its
 * system prompt). Directives it does not know are copied as written, as glibc does.
 */
final class Strftime {

    private Strftime() {}

    static String format(String pattern, LocalDateTime t) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c != '%' || i + 1 == pattern.length()) {
                out.append(c);
                continue;
            }
            char directive = pattern.charAt(++i);
            switch (directive) {
                case 'a' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'b' -> out.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'B' -> out.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'd' -> out.append(two(t.getDayOfMonth()));
                case 'm' -> out.append(two(t.getMonthValue()));
                case 'y' -> out.append(two(t.getYear() % 100));
                case 'Y' -> out.append(t.getYear());
                case 'H' -> out.append(two(t.getHour()));
                case 'I' -> out.append(two((t.getHour() + 11) % 12 + 1));
                case 'M' -> out.append(two(t.getMinute()));
                case 'S' -> out.append(two(t.getSecond()));
                case 'p' -> out.append(t.getHour() < 12 ? "AM" : "PM");
                case 'j' -> out.append(String.format("%03d", t.getDayOfYear()));
                case '%' -> out.append('%');
                default -> out.append('%').append(directive);
            }
        }
        return out.toString();
    }

    private static String two(int value) {
        return String.format("%02d", value);
    }
}
