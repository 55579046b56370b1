package dev.loraplane.engine.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's chat template: the Jinja program in its tokenizer_config.json that turns a conversation
 * into the prompt text the model was trained on. It renders as transformers'
 * {@code apply_chat_template(messages, tokenize=False, add_generation_prompt=...)} does, with the
 * variables transformers passes: {@code messages}, {@code add_generation_prompt}, the special tokens
 * ({@code bos_token}, {@code eos_token}, {@code pad_token}, {@code unk_token}, those that are set),
 * and the functions {@code raise_exception(message)} and {@code strftime_now(format)}.
 */
public final class ChatTemplate {

    private static final Jinjava JINJA = JinjaEnvironment.create();

    private final String source;
    private final Map<String, String> specialTokens;

    private ChatTemplate(String source, Map<String, String> specialTokens) {
        this.source = source;
        this.specialTokens = Map.copyOf(specialTokens);
    }

    /**
     * A template with the special tokens it may print, keyed as transformers passes them
     * ({@code bos_token}, {@code eos_token}, ...).
     */
    public static ChatTemplate of(String template, Map<String, String> specialTokens) {
        return new ChatTemplate(jinja2Source(template), specialTokens);
    }

    /** The default chat template of a tokenizer config, with its special tokens. */
    public static ChatTemplate of(TokenizerConfig config) {
        if (config.chatTemplate() == null) {
            throw new ChatTemplateException(config.namedChatTemplates().isEmpty()
                    ? "the tokenizer has no chat template: tokenizer_config.json sets no chat_template and there"
                            + " is no " + TokenizerConfig.CHAT_TEMPLATE_FILE
                    : "the tokenizer has no default chat template: tokenizer_config.json's chat_template names "
                            + String.join(", ", config.namedChatTemplates().keySet()) + " but none 'default'");
        }
        Map<String, String> tokens = new HashMap<>();
        putIfSet(tokens, "bos_token", config.bosToken());
        putIfSet(tokens, "eos_token", config.eosToken());
        putIfSet(tokens, "pad_token", config.padToken());
        putIfSet(tokens, "unk_token", config.unkToken());
        return of(config.chatTemplate(), tokens);
    }

    private static void putIfSet(Map<String, String> tokens, String name, String token) {
        if (token != null) {
            tokens.put(name, token);
        }
    }

    /**
     * Jinja2 reads a template with its newlines normalized to {@code \n} and one trailing newline
     * dropped ({@code keep_trailing_newline=False}).
     */
    private static String jinja2Source(String template) {
        String normalized = template.replace("\r\n", "\n").replace('\r', '\n');
        return normalized.endsWith("\n") ? normalized.substring(0, normalized.length() - 1) : normalized;
    }

    /**
     * Renders {@code messages} into prompt text; with {@code addGenerationPrompt}, ending with the
     * header that opens the assistant's turn.
     *
     * @throws ChatTemplateException with the template's own message when it calls {@code
     *     raise_exception} (Mistral's: "conversation roles must alternate"), or when it fails to render
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        Map<String, Object> context = new HashMap<>(specialTokens);
        context.put("messages", messages.stream().map(ChatTemplate::asMap).toList());
        context.put("add_generation_prompt", addGenerationPrompt);
        RenderResult result = JINJA.renderForResult(source, context);
        for (TemplateError error : result.getErrors()) {
            String raised = raisedMessage(error.getException());
            if (raised != null) {
                throw new ChatTemplateException(raised);
            }
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new ChatTemplateException("the chat template fails at line " + error.getLineno() + ": "
                        + error.getMessage(), error.getException());
            }
        }
        return result.getOutput();
    }

    private static Map<String, Object> asMap(ChatMessage message) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("role", message.role());
        map.put("content", message.content());
        return map;
    }

    /** The message of a {@code raise_exception} call somewhere in Jinjava's chain of causes, or null. */
    private static String raisedMessage(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof JinjaEnvironment.Raised raised) {
                return raised.getMessage();
            }
        }
        return null;
    }
}
