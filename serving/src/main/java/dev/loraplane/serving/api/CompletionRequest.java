package dev.loraplane.serving.api;

import dev.loraplane.engine.tokenizer.ChatMessage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A {@code /v1/completions} or {@code /v1/chat/completions} request, checked field by field: each bad
 * value is a 400 naming it.
 *
 * @param chat whether it came as chat messages
 * @param prompt the prompt text of a completion, or null
 * @param promptTokenIds a completion's prompt given as token ids, or null
 * @param messages the chat messages, or null
 * @param maxTokens the most tokens to generate; null for "up to the end of the context" (chat's default)
 * @param seed null for a random one
 * @param includeUsage {@code stream_options.include_usage}: a last chunk with the usage
 */
public record CompletionRequest(boolean chat, String model, String prompt, int[] promptTokenIds, List<ChatMessage> messages,
        Integer maxTokens, double temperature, double topP, Long seed, List<String> stop, boolean stream, boolean includeUsage) {

    /** OpenAI's default for legacy completions. */
    static final int COMPLETION_DEFAULT_MAX_TOKENS = 16;
    private static final Set<String> ROLES = Set.of("system", "user", "assistant");

    public static CompletionRequest parse(JsonObject body, boolean chat) {
        if (body == null) {
            throw ServingException.invalid(null, "The request body must be a JSON object");
        }
        String model = string(body, "model", true);
        String prompt = null;
        int[] ids = null;
        List<ChatMessage> messages = null;
        if (chat) {
            messages = messages(body.getValue("messages"));
        } else {
            Object p = body.getValue("prompt");
            if (p instanceof String text) {
                prompt = text;
            } else if (p instanceof JsonArray array && !array.isEmpty() && array.stream().allMatch(v -> v instanceof Integer)) {
                ids = array.stream().mapToInt(v -> (Integer) v).toArray();
            } else {
                throw ServingException.invalid("prompt", "prompt must be a string or an array of token ids"
                        + (p == null ? "; it is missing" : ""));
            }
        }
        Integer maxTokens = integer(body, chat && body.getValue("max_completion_tokens") != null ? "max_completion_tokens"
                : "max_tokens");
        if (maxTokens != null && maxTokens < 1) {
            throw ServingException.invalid("max_tokens", "max_tokens must be at least 1, got " + maxTokens);
        }
        if (maxTokens == null && !chat) {
            maxTokens = COMPLETION_DEFAULT_MAX_TOKENS;
        }
        double temperature = number(body, "temperature", 1.0);
        if (temperature < 0 || temperature > 2) {
            throw ServingException.invalid("temperature", "temperature must be between 0 and 2, got " + temperature);
        }
        double topP = number(body, "top_p", 1.0);
        if (!(topP > 0 && topP <= 1)) {
            throw ServingException.invalid("top_p", "top_p must be greater than 0 and at most 1, got " + topP);
        }
        Integer n = integer(body, "n");
        if (n != null && n != 1) {
            throw ServingException.invalid("n", "only n = 1 is supported, got " + n);
        }
        Object seedValue = body.getValue("seed");
        if (seedValue != null && !(seedValue instanceof Integer || seedValue instanceof Long)) {
            throw ServingException.invalid("seed", "seed must be an integer, got " + seedValue);
        }
        Long seed = seedValue == null ? null : ((Number) seedValue).longValue();
        Object streamValue = body.getValue("stream", false);
        if (!(streamValue instanceof Boolean stream)) {
            throw ServingException.invalid("stream", "stream must be true or false, got " + streamValue);
        }
        Object options = body.getValue("stream_options");
        if (options != null && !(options instanceof JsonObject)) {
            throw ServingException.invalid("stream_options", "stream_options must be an object");
        }
        boolean includeUsage = options instanceof JsonObject o && Boolean.TRUE.equals(o.getValue("include_usage"));
        return new CompletionRequest(chat, model, prompt, ids, messages, maxTokens, temperature, topP, seed,
                stop(body.getValue("stop")), stream, includeUsage);
    }

    private static List<ChatMessage> messages(Object value) {
        if (!(value instanceof JsonArray array) || array.isEmpty()) {
            throw ServingException.invalid("messages", "messages must be a non-empty array of {\"role\", \"content\"}");
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            if (!(array.getValue(i) instanceof JsonObject m)) {
                throw ServingException.invalid("messages[" + i + "]", "messages[" + i + "] must be an object");
            }
            Object role = m.getValue("role");
            if (!(role instanceof String r) || !ROLES.contains(r)) {
                throw ServingException.invalid("messages[" + i + "].role", "messages[" + i + "].role is " + role
                        + "; expected one of assistant, system, user");
            }
            Object content = m.getValue("content");
            if (!(content instanceof String text)) {
                throw ServingException.invalid("messages[" + i + "].content", "messages[" + i + "].content must be a string");
            }
            messages.add(new ChatMessage(r, text));
        }
        return messages;
    }

    private static List<String> stop(Object value) {
        if (value == null) {
            return List.of();
        }
        List<String> stops = new ArrayList<>();
        if (value instanceof String s) {
            stops.add(s);
        } else if (value instanceof JsonArray array && array.size() <= 4 && array.stream().allMatch(v -> v instanceof String)) {
            array.forEach(v -> stops.add((String) v));
        } else {
            throw ServingException.invalid("stop", "stop must be a string or an array of at most 4 strings");
        }
        if (stops.stream().anyMatch(String::isEmpty)) {
            throw ServingException.invalid("stop", "stop strings must not be empty");
        }
        return List.copyOf(stops);
    }

    private static String string(JsonObject body, String field, boolean required) {
        Object value = body.getValue(field);
        if (value == null && !required) {
            return null;
        }
        if (!(value instanceof String s) || s.isBlank()) {
            throw ServingException.invalid(field, field + " must be a non-empty string" + (value == null ? "; it is missing" : ""));
        }
        return s;
    }

    private static Integer integer(JsonObject body, String field) {
        Object value = body.getValue(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
                || Math.abs(n.doubleValue()) > Integer.MAX_VALUE) {
            throw ServingException.invalid(field, field + " must be an integer, got " + value);
        }
        return n.intValue();
    }

    private static double number(JsonObject body, String field, double fallback) {
        Object value = body.getValue(field);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Number n)) {
            throw ServingException.invalid(field, field + " must be a number, got " + value);
        }
        return n.doubleValue();
    }
}
