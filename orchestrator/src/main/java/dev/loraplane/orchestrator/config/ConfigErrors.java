package dev.loraplane.orchestrator.config;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.PropertyBindingException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Turns what Jackson found wrong with the merged configuration into one sentence that names where
 * the value came from, the key, the value and what was expected:
 * {@code config.yaml line 7: unknown key 'cpu_slot' under executors.local; expected one of cpu_slots, gpus, grace_seconds}.
 */
final class ConfigErrors {

    private ConfigErrors() {}

    /**
     * @param tree the merged configuration Jackson read
     * @param where the source of the value at a key: a file and line, a variable, an option
     */
    static ConfigException explain(JsonMappingException e, JsonNode tree, Function<String, String> where) {
        String key = key(e);
        if (e instanceof PropertyBindingException unknown) {
            String parent = parent(key);
            String known = unknown.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
            return new ConfigException(where.apply(key) + ": unknown key '" + unknown.getPropertyName() + "'"
                    + (parent.isEmpty() ? "" : " under " + shown(parent)) + "; expected one of " + known, e);
        }
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidValue invalid) {
                String full = invalid.key().isEmpty() ? key : key.isEmpty() ? invalid.key() : key + "." + invalid.key();
                return new ConfigException(where.apply(full) + ": " + shown(full) + " " + invalid.problem(), e);
            }
            if (cause instanceof IllegalArgumentException invalid) {
                String message = invalid.getMessage();
                if (message.startsWith(key + ".") && message.indexOf(' ') > 0) {   // the message names the key: "retries.max_attempts is 0; …"
                    return new ConfigException(where.apply(message.substring(0, message.indexOf(' '))) + ": " + message, e);
                }
                return new ConfigException(where.apply(key) + ": " + shown(key) + ": " + message, e);
            }
        }
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            return new ConfigException(where.apply(key) + ": " + shown(key) + " is " + describe(tree.at(pointer(e)))
                    + "; expected " + expected(mismatch.getTargetType()), e);
        }
        return new ConfigException(where.apply(key) + ": " + shown(key) + ": " + e.getOriginalMessage(), e);
    }

    /** The path as messages write it: {@code base_models[0].path}; a number is a list index. */
    static String key(List<String> path) {
        String key = "";
        for (String element : path) {
            key = !element.isEmpty() && element.chars().allMatch(Character::isDigit) ? key + "[" + element + "]" : child(key, element);
        }
        return key;
    }

    private static String key(JsonMappingException e) {
        String key = "";
        for (JsonMappingException.Reference r : e.getPath()) {
            key = r.getFieldName() != null ? child(key, r.getFieldName()) : key + "[" + r.getIndex() + "]";
        }
        return key;
    }

    static String child(String key, String name) {
        return key.isEmpty() ? name : key + "." + name;
    }

    /** The section a key is in: {@code executors.local} for {@code executors.local.gpus}, "" at the top. */
    static String parent(String key) {
        int cut = Math.max(key.lastIndexOf('.'), key.lastIndexOf('['));
        return cut < 0 ? "" : key.substring(0, cut);
    }

    /** Whether a value set at {@code a} is, contains or lies within the one at {@code b}. */
    static boolean related(String a, String b) {
        return a.equals(b) || within(a, b) || within(b, a);
    }

    private static boolean within(String inner, String outer) {
        return outer.isEmpty() || inner.startsWith(outer + ".") || inner.startsWith(outer + "[");
    }

    /** The key with an API key, a secret, left out. */
    private static String shown(String key) {
        return key.startsWith("api_keys.") ? "api_keys.<a key>" : key;
    }

    private static String pointer(JsonMappingException e) {
        return e.getPath().stream().map(r -> "/" + (r.getFieldName() != null ? r.getFieldName().replace("~", "~0").replace("/", "~1")
                : String.valueOf(r.getIndex()))).collect(Collectors.joining());
    }

    private static String describe(JsonNode value) {
        if (value.isMissingNode() || value.isNull()) {
            return "empty";
        }
        if (value.isObject()) {
            return "a mapping";
        }
        if (value.isArray()) {
            return "a list";
        }
        return value.isTextual() ? "'" + value.asText() + "'" : value.toString();
    }

    private static String expected(Class<?> type) {
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "an integer";
        }
        if (type == double.class || type == Double.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Path.class) {
            return "a path";
        }
        if (Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        return Map.class.isAssignableFrom(type) || type.isRecord() ? "keys and values (a mapping)" : type.getSimpleName();
    }
}
