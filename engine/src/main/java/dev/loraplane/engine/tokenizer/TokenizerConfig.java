package dev.loraplane.engine.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parts of a Hugging Face {@code tokenizer_config.json} that loraplane uses.
 *
 * @param bosToken the beginning-of-sequence token's text, or null
 * @param eosToken the end-of-sequence token's text, or null; for chat models the end of a turn
 * @param padToken the padding token's text, or null
 * @param unkToken the unknown token's text, or null
 * @param addBosToken {@code add_bos_token}; {@link Tokenizer#encode} follows tokenizer.json's
 *     post-processor, which agrees with it in well-formed checkpoints
 * @param addEosToken {@code add_eos_token}, likewise
 * @param cleanUpTokenizationSpaces whether decoding removes the space before punctuation, as
 *     {@code clean_up_tokenization_spaces} asks
 * @param chatTemplate the default chat template (a plain string, or the template named
 *     {@code default}), or null
 * @param namedChatTemplates every chat template by name, when {@code chat_template} is a list
 * @param modelMaxLength the longest input the tokenizer declares, {@link Long#MAX_VALUE} when absent
 *     or set to Hugging Face's "unbounded" 1e30
 */
public record TokenizerConfig(
        String bosToken,
        String eosToken,
        String padToken,
        String unkToken,
        boolean addBosToken,
        boolean addEosToken,
        boolean cleanUpTokenizationSpaces,
        String chatTemplate,
        Map<String, String> namedChatTemplates,
        long modelMaxLength) {

    public static final String FILE = "tokenizer_config.json";
    /** Recent transformers versions save the chat template beside the config, in this file. */
    public static final String CHAT_TEMPLATE_FILE = "chat_template.jinja";

    private static final ObjectMapper JSON = new ObjectMapper();

    public TokenizerConfig {
        namedChatTemplates = Map.copyOf(namedChatTemplates);
    }

    /** A config with no special tokens and no chat template, for a tokenizer.json that comes alone. */
    public static TokenizerConfig empty() {
        return new TokenizerConfig(null, null, null, null, false, false, false, null, Map.of(), Long.MAX_VALUE);
    }

    /**
     * Reads a model directory's {@code tokenizer_config.json} (an empty config when there is none) and,
     * when present, its {@code chat_template.jinja}, which then is the default chat template.
     */
    public static TokenizerConfig load(Path dir) {
        Path file = dir.resolve(FILE);
        TokenizerConfig config = Files.exists(file) ? read(file) : empty();
        Path jinja = dir.resolve(CHAT_TEMPLATE_FILE);
        if (!Files.exists(jinja)) {
            return config;
        }
        try {
            return config.withChatTemplate(Files.readString(jinja));
        } catch (IOException e) {
            throw new TokenizerException(jinja + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Reads one {@code tokenizer_config.json}; a malformed field names the file and the field. */
    public static TokenizerConfig read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new TokenizerException(file + ": cannot read: " + e.getMessage(), e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new TokenizerException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new TokenizerException(file + ": expected a JSON object");
        }
        return parse(root, file.toString());
    }

    static TokenizerConfig parse(JsonNode root, String source) {
        Map<String, String> named = new LinkedHashMap<>();
        String template = chatTemplates(root.get("chat_template"), named, source);
        return new TokenizerConfig(
                token(root, "bos_token", source),
                token(root, "eos_token", source),
                token(root, "pad_token", source),
                token(root, "unk_token", source),
                flag(root, "add_bos_token", source),
                flag(root, "add_eos_token", source),
                flag(root, "clean_up_tokenization_spaces", source),
                template,
                named,
                maxLength(root.get("model_max_length"), source));
    }

    /** This config with {@code template} as its default chat template. */
    public TokenizerConfig withChatTemplate(String template) {
        return new TokenizerConfig(bosToken, eosToken, padToken, unkToken, addBosToken, addEosToken,
                cleanUpTokenizationSpaces, template, namedChatTemplates, modelMaxLength);
    }

    /** A special token: a string, an {@code AddedToken} object {@code {"content": ...}}, or null. */
    private static String token(JsonNode root, String field, String source) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isObject() && node.path("content").isTextual()) {
            return node.get("content").asText();
        }
        throw new TokenizerException(source + ": field " + field
                + " must be a string or an object with a string \"content\", got " + node);
    }

    private static boolean flag(JsonNode root, String field, String source) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw new TokenizerException(source + ": field " + field + " must be true or false, got " + node);
        }
        return node.asBoolean();
    }

    /** Fills {@code named} and returns the default template: the plain string, or the one named "default". */
    private static String chatTemplates(JsonNode node, Map<String, String> named, String source) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (!node.isArray()) {
            throw new TokenizerException(source + ": field chat_template must be a string or a list of"
                    + " {\"name\", \"template\"} objects, got " + node.getNodeType());
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode entry = node.get(i);
            if (!entry.path("name").isTextual() || !entry.path("template").isTextual()) {
                throw new TokenizerException(source + ": field chat_template[" + i
                        + "] must be an object with string \"name\" and \"template\", got " + entry);
            }
            named.put(entry.get("name").asText(), entry.get("template").asText());
        }
        return named.get("default");
    }

    private static long maxLength(JsonNode node, String source) {
        if (node == null || node.isNull()) {
            return Long.MAX_VALUE;
        }
        if (!node.isNumber() || node.decimalValue().signum() <= 0) {
            throw new TokenizerException(source + ": field model_max_length must be a positive number, got " + node);
        }
        BigDecimal value = node.decimalValue();
        return value.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : value.longValue();
    }
}
