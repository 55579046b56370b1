package dev.loraplane.orchestrator.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A config file as read: its keys and values, and where each key stands in it, so that a mistake
 * found later, once the defaults and overrides are merged, can still be reported by line.
 *
 * @param file the file as it was named
 * @param tree its content; empty for an empty file
 * @param lines the line of every key and list entry, by path ({@code executors.local.gpus},
 *     {@code base_models[0]})
 */
record ConfigSource(Path file, ObjectNode tree, Map<String, Integer> lines) {

    /** Reads {@code file}: JSON when its first character is '{', YAML otherwise. */
    static ConfigSource read(Path file, ObjectMapper yaml, ObjectMapper json) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        ConfigSource source = new ConfigSource(file, JsonNodeFactory.instance.objectNode(), new HashMap<>());
        ObjectMapper mapper = text.stripLeading().startsWith("{") ? json : yaml;
        try (JsonParser p = mapper.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return source;
            }
            if (first != JsonToken.START_OBJECT) {
                throw new ConfigException(source.at(p.currentTokenLocation()) + ": expected keys and values such as"
                        + " 'server: {port: 8080}' at the top of the file, not " + first.asString());
            }
            source.readObject(p, source.tree, "", mapper);
            if (p.nextToken() != null) {
                throw new ConfigException(source.at(p.currentTokenLocation()) + ": a second document; expected one");
            }
            return source;
        } catch (JsonProcessingException e) {
            String message = e.getOriginalMessage().lines().findFirst().orElse("");
            throw new ConfigException(source.at(e.getLocation()) + ": " + message, e);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Where {@code key} (or, when it is not in the file, the nearest section that is) stands: "config.yaml line 7". */
    String where(String key) {
        for (String k = key; !k.isEmpty(); k = ConfigErrors.parent(k)) {
            Integer line = lines.get(k);
            if (line != null) {
                return file + " line " + line;
            }
        }
        return file.toString();
    }

    private String at(JsonLocation location) {
        return location == null || location.getLineNr() < 1 ? file.toString() : file + " line " + location.getLineNr();
    }

    private void readObject(JsonParser p, ObjectNode into, String key, ObjectMapper mapper) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            String child = ConfigErrors.child(key, name);
            if (into.has(name)) {
                throw new ConfigException(at(p.currentTokenLocation()) + ": key '" + name + "' appears twice"
                        + (key.isEmpty() ? "" : " under " + key) + "; expected it once");
            }
            lines.put(child, p.currentTokenLocation().getLineNr());
            p.nextToken();
            into.set(name, value(p, child, mapper));
        }
    }

    private JsonNode value(JsonParser p, String key, ObjectMapper mapper) throws IOException {
        switch (p.currentToken()) {
            case START_OBJECT -> {
                ObjectNode object = JsonNodeFactory.instance.objectNode();
                readObject(p, object, key, mapper);
                return object;
            }
            case START_ARRAY -> {
                ArrayNode array = JsonNodeFactory.instance.arrayNode();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    String entry = key + "[" + array.size() + "]";
                    lines.put(entry, p.currentTokenLocation().getLineNr());
                    array.add(value(p, entry, mapper));
                }
                return array;
            }
            default -> {
                return mapper.readTree(p);
            }
        }
    }
}
