package dev.loraplane.engine.tokenizer;

/**
 * A chat template that rejected the conversation (it called {@code raise_exception}, as Mistral's does
 * when roles do not alternate) or could not be rendered. The message is the template's own.
 */
public final class ChatTemplateException extends RuntimeException {

    public ChatTemplateException(String message) {
        super(message);
    }

    public ChatTemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
