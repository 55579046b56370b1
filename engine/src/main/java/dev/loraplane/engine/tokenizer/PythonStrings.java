package dev.loraplane.engine.tokenizer;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;
import jinjava.javax.el.PropertyNotFoundException;

/**
 * Python's {@code str} in Jinja expressions, as chat templates use it: {@code content.strip()},
 * {@code role.startswith('tool')}, {@code text.split('</think>')[-1]}, {@code content[0]}. Jinjava
 * otherwise offers Java's String methods, which differ in name ({@code startsWith}) or meaning
 * ({@code split} takes a regex).
 */
final class PythonStrings extends ELResolver {

    private static final Object NOT_HANDLED = new Object();
    private static final Pattern INDEX = Pattern.compile("-?\\d{1,9}");

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String text) || method == null) {
            return null;
        }
        Object result = call(text, method.toString(), params == null ? new Object[0] : params);
        if (result == NOT_HANDLED) {
            return null;
        }
        context.setPropertyResolved(true);
        return result;
    }

    /**
     * {@code text[i]}, a negative index counting from the end; a code point, as Python indexes. Jinjava
     * hands the index over as its decimal string.
     */
    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        if (!(base instanceof String text) || property == null || !INDEX.matcher(property.toString()).matches()) {
            return null;
        }
        int length = text.codePointCount(0, text.length());
        int given = Integer.parseInt(property.toString());
        int index = given < 0 ? given + length : given;
        if (index < 0 || index >= length) {
            throw new PropertyNotFoundException("string index " + given + " out of range for a string of "
                    + length + " characters");
        }
        context.setPropertyResolved(true);
        return new String(Character.toChars(text.codePointAt(text.offsetByCodePoints(0, index))));
    }

    private static Object call(String s, String method, Object[] args) {
        return switch (method + "/" + args.length) {
            case "strip/0", "strip/1" -> strip(s, chars(args), true, true);
            case "lstrip/0", "lstrip/1" -> strip(s, chars(args), true, false);
            case "rstrip/0", "rstrip/1" -> strip(s, chars(args), false, true);
            case "startswith/1" -> affixes(args[0]).stream().anyMatch(s::startsWith);
            case "endswith/1" -> affixes(args[0]).stream().anyMatch(s::endsWith);
            case "split/0" -> split(s, null, -1);
            case "split/1" -> split(s, (String) args[0], -1);
            case "split/2" -> split(s, (String) args[0], ((Number) args[1]).intValue());
            case "upper/0" -> s.toUpperCase(Locale.ROOT);
            case "lower/0" -> s.toLowerCase(Locale.ROOT);
            case "title/0" -> title(s);
            case "capitalize/0" -> s.isEmpty() ? s
                    : new String(Character.toChars(Character.toTitleCase(s.codePointAt(0))))
                            + s.substring(Character.charCount(s.codePointAt(0))).toLowerCase(Locale.ROOT);
            case "replace/2" -> s.replace(args[0].toString(), args[1].toString());
            case "join/1" -> join(s, args[0]);
            default -> NOT_HANDLED;
        };
    }

    /** Python's {@code str.isspace} for one code point. */
    static boolean isSpace(int codePoint) {
        return Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint) || codePoint == 0x85;
    }

    private static String chars(Object[] args) {
        return args.length == 0 || args[0] == null ? null : args[0].toString();
    }

    /** {@code str.strip(chars)}: whitespace when {@code chars} is null, else any of its characters. */
    static String strip(String s, String chars, boolean leading, boolean trailing) {
        int begin = 0;
        int end = s.length();
        while (leading && begin < end && strippable(s.codePointAt(begin), chars)) {
            begin += Character.charCount(s.codePointAt(begin));
        }
        while (trailing && end > begin && strippable(s.codePointBefore(end), chars)) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return s.substring(begin, end);
    }

    private static boolean strippable(int codePoint, String chars) {
        return chars == null ? isSpace(codePoint) : chars.codePoints().anyMatch(c -> c == codePoint);
    }

    private static List<String> affixes(Object arg) {
        if (arg instanceof Iterable<?> list) {
            return StreamSupport.stream(list.spliterator(), false).map(Object::toString).toList();
        }
        if (arg instanceof Object[] array) {
            return Arrays.stream(array).map(Object::toString).toList();
        }
        return List.of(arg.toString());
    }

    /**
     * {@code str.split(sep, maxsplit)}: with no separator, on runs of whitespace with empty ends
     * dropped; with one, on each occurrence, keeping empty parts. After {@code maxsplit} splits the rest
     * is one part.
     */
    static List<String> split(String s, String sep, int maxSplit) {
        List<String> parts = new ArrayList<>();
        int limit = maxSplit < 0 ? Integer.MAX_VALUE : maxSplit;
        if (sep == null) {
            int i = skipSpace(s, 0);
            while (i < s.length()) {
                if (parts.size() == limit) {
                    parts.add(s.substring(i));
                    return parts;
                }
                int j = i;
                while (j < s.length() && !isSpace(s.codePointAt(j))) {
                    j += Character.charCount(s.codePointAt(j));
                }
                parts.add(s.substring(i, j));
                i = skipSpace(s, j);
            }
            return parts;
        }
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("split: empty separator");
        }
        int from = 0;
        for (int at = s.indexOf(sep); at >= 0 && parts.size() < limit; at = s.indexOf(sep, from)) {
            parts.add(s.substring(from, at));
            from = at + sep.length();
        }
        parts.add(s.substring(from));
        return parts;
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && isSpace(s.codePointAt(i))) {
            i += Character.charCount(s.codePointAt(i));
        }
        return i;
    }

    /** {@code str.title()}: each run of cased letters starts upper case and continues lower case. */
    private static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); i += Character.charCount(s.codePointAt(i))) {
            int c = s.codePointAt(i);
            boolean cased = Character.isUpperCase(c) || Character.isLowerCase(c) || Character.isTitleCase(c);
            out.appendCodePoint(!cased ? c : previousCased ? Character.toLowerCase(c) : Character.toTitleCase(c));
            previousCased = cased;
        }
        return out.toString();
    }

    private static String join(String separator, Object items) {
        Iterable<?> iterable = items instanceof Object[] array ? Arrays.asList(array) : (Iterable<?>) items;
        return StreamSupport.stream(iterable.spliterator(), false).map(String::valueOf)
                .collect(Collectors.joining(separator));
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        // Strings are immutable: nothing to set, and other bases belong to the resolvers after this one.
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return false;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
