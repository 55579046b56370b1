package dev.loraplane.orchestrator.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One value set over the config file, by an environment variable or a command-line option.
 *
 * <p>The environment scheme: {@code LORAPLANE_} then the key's path, sections joined by a double
 * underscore and lowercased, so {@code LORAPLANE_SERVER__PORT=9000} sets {@code server.port},
 * {@code LORAPLANE_QUOTAS__TENANTS__ACME=2} sets {@code quotas.tenants.acme} and
 * {@code LORAPLANE_BASE_MODELS__0__PATH} the first base model's path. Values are read as YAML
 * ({@code 9000}, {@code 2.5e-4}, {@code none}, {@code [0, 1]}); an empty one is ignored. Only names
 * with a double underscore are config keys, plus {@code LORAPLANE_API_KEYS="sk-a=acme,sk-b=globex"},
 * which replaces {@code api_keys} (keys keep their case there). Other {@code LORAPLANE_*} variables,
 * such as {@code LORAPLANE_HOME}, keep their own meanings.
 *
 * @param source what set it, for messages: the variable or option name
 * @param path the key's path from the top, one element per section; a number indexes a list
 * @param value the value, a scalar or a YAML collection
 */
public record ConfigOverride(String source, List<String> path, JsonNode value) {

    static final String PREFIX = "LORAPLANE_";
    static final String API_KEYS = PREFIX + "API_KEYS";
    private static final YAMLMapper YAML = new YAMLMapper();

    public ConfigOverride {
        path = List.copyOf(path);
    }

    /** The overrides these variables make, in name order; other variables are left alone. */
    public static List<ConfigOverride> fromEnvironment(Map<String, String> env) {
        List<ConfigOverride> overrides = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String name = e.getKey();
            if (e.getValue().isEmpty()) {
                continue;
            }
            if (name.equals(API_KEYS)) {
                overrides.add(new ConfigOverride(name, List.of("api_keys"), apiKeys(e.getValue())));
            } else if (name.startsWith(PREFIX) && name.contains("__")) {
                List<String> path = Arrays.stream(name.substring(PREFIX.length()).split("__", -1))
                        .map(s -> s.toLowerCase(Locale.ROOT)).toList();
                if (path.contains("")) {
                    throw new ConfigException(name + ": an empty section in the name; expected LORAPLANE_SECTION__KEY");
                }
                overrides.add(new ConfigOverride(name, path, yaml(e.getValue())));
            }
        }
        return overrides;
    }

    /** A command-line option's value for the key at the dotted {@code path}, e.g. {@code server.port}. */
    public static ConfigOverride option(String option, String path, Object value) {
        return new ConfigOverride(option, List.of(path.split("\\.")), YAML.valueToTree(value));
    }

    /** The path as messages write it: {@code base_models[0].path}. */
    public String key() {
        return ConfigErrors.key(path);
    }

    private static JsonNode yaml(String text) {
        try {
            JsonNode node = YAML.readTree(text);
            return node == null || node.isMissingNode() ? JsonNodeFactory.instance.textNode(text) : node;
        } catch (JsonProcessingException e) {
            return JsonNodeFactory.instance.textNode(text);   // not YAML, so a plain string: a password with a '{', say
        }
    }

    private static ObjectNode apiKeys(String text) {
        ObjectNode keys = JsonNodeFactory.instance.objectNode();
        String[] entries = text.split(",");
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i].strip();
            int eq = entry.lastIndexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new ConfigException(API_KEYS + ": entry " + (i + 1) + " is not KEY=TENANT; expected"
                        + " comma-separated pairs such as sk-a=acme,sk-b=globex");
            }
            keys.put(entry.substring(0, eq).strip(), entry.substring(eq + 1).strip());
        }
        return keys;
    }
}
