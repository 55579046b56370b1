package dev.loraplane.orchestrator.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads the configuration: the embedded {@code defaults.yaml}, then the file (YAML, or JSON when it
 * starts with '{'), then the overrides (environment variables, command-line options), and only then
 * checks the result. A relative path resolves against the file's directory (the working directory
 * when there is no file). Every mistake is a {@link ConfigException} naming where it is.
 */
public final class ConfigLoader {

    private static final String BASE_DIR = "loraplane.config.dir";
    private static final ObjectMapper YAML = configure(new YAMLMapper());
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConfigLoader() {}

    /** The embedded defaults alone. */
    public static ConfigFile defaults() {
        return load(null, List.of());
    }

    /**
     * @param file the config file, or null for the defaults alone
     * @param overrides applied in order over the file; a later one wins
     */
    public static ConfigFile load(Path file, List<ConfigOverride> overrides) {
        ObjectNode tree = defaultsTree();
        ConfigSource source = file == null ? null : ConfigSource.read(file, YAML, JSON);
        if (source != null) {
            merge(tree, source.tree());
        }
        overrides.forEach(o -> set(tree, o));
        Path dir = file == null ? Path.of("").toAbsolutePath() : file.toAbsolutePath().getParent();
        try {
            return YAML.readerFor(ConfigFile.class).withAttribute(BASE_DIR, dir).readValue(tree);
        } catch (JsonMappingException e) {
            throw ConfigErrors.explain(e, tree, key -> where(key, source, overrides));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whoever set the value at {@code key}: the overrides that touch it, else the file's line. */
    private static String where(String key, ConfigSource source, List<ConfigOverride> overrides) {
        String sources = overrides.stream().filter(o -> ConfigErrors.related(o.key(), key)).map(ConfigOverride::source)
                .distinct().collect(Collectors.joining(", "));
        if (!sources.isEmpty()) {
            return sources;
        }
        return source == null ? "config" : source.where(key);
    }

    /** {@code from} over {@code into}: sections merge key by key, anything else replaces; an empty value keeps what was there. */
    private static void merge(ObjectNode into, ObjectNode from) {
        for (Map.Entry<String, JsonNode> e : from.properties()) {
            JsonNode value = e.getValue();
            JsonNode existing = into.get(e.getKey());
            if (value.isObject() && existing != null && existing.isObject()) {
                merge((ObjectNode) existing, (ObjectNode) value);
            } else if (!value.isNull()) {
                into.set(e.getKey(), value);
            }
        }
    }

    /** Sets one override, making the sections on its path; a list index may name an entry or the next one. */
    private static void set(ObjectNode tree, ConfigOverride override) {
        if (override.value().isNull()) {
            return;
        }
        int last = override.path().size() - 1;
        JsonNode node = tree;
        for (int i = 0; i < last; i++) {
            node = section(node, override, i);
        }
        if (node instanceof ArrayNode array) {
            int index = index(override, last, array);
            if (index == array.size()) {
                array.add(override.value());
            } else {
                array.set(index, override.value());
            }
        } else {
            ((ObjectNode) node).set(override.path().get(last), override.value());
        }
    }

    /** The section at element {@code i} of the override's path, made (or made a section) when it is not one. */
    private static JsonNode section(JsonNode node, ConfigOverride override, int i) {
        if (node instanceof ArrayNode array) {
            int index = index(override, i, array);
            if (index == array.size()) {
                array.addObject();
            } else if (!array.get(index).isContainerNode()) {
                array.set(index, array.objectNode());
            }
            return array.get(index);
        }
        ObjectNode object = (ObjectNode) node;
        JsonNode existing = object.get(override.path().get(i));
        return existing != null && existing.isContainerNode() ? existing : object.putObject(override.path().get(i));
    }

    private static int index(ConfigOverride override, int at, ArrayNode array) {
        String element = override.path().get(at);
        if (element.chars().allMatch(Character::isDigit) && !element.isEmpty() && element.length() < 9
                && Integer.parseInt(element) <= array.size()) {
            return Integer.parseInt(element);
        }
        throw new ConfigException(override.source() + ": " + ConfigErrors.key(override.path().subList(0, at)) + " is a list of "
                + array.size() + "; expected an index from 0 to " + array.size() + " in place of '" + element + "'");
    }

    private static ObjectNode defaultsTree() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream("defaults.yaml")) {
            return (ObjectNode) YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the embedded defaults.yaml", e);
        }
    }

    private static <M extends ObjectMapper> M configure(M mapper) {
        mapper.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        mapper.registerModule(new SimpleModule().addDeserializer(Path.class, new RelativePath()));
        return mapper;
    }

    /** A path, relative ones resolved against the config file's directory. */
    private static final class RelativePath extends StdDeserializer<Path> {

        RelativePath() {
            super(Path.class);
        }

        @Override
        public Path deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.currentToken().isScalarValue() || p.currentToken().isBoolean()) {
                return (Path) ctxt.handleUnexpectedToken(Path.class, p);
            }
            String text = p.getValueAsString();
            try {
                Path path = Path.of(text);
                Path base = (Path) ctxt.getAttribute(BASE_DIR);
                return path.isAbsolute() || base == null ? path : base.resolve(path).normalize();
            } catch (InvalidPathException e) {
                return (Path) ctxt.handleWeirdStringValue(Path.class, text, "not a path: " + e.getReason());
            }
        }
    }
}
