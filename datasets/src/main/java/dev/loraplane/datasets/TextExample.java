package dev.loraplane.datasets;

import java.util.Objects;

/**
 * A plain-text example: {@code {"text": "…"}}, for continued pre-training. The model trains on
 * every token, and the text is never wrapped in a chat template.
 *
 * @param text the text, never empty
 */
public record TextExample(String text) implements Example {

    public TextExample {
        Objects.requireNonNull(text, "text");
    }

    @Override
    public DatasetFormat format() {
        return DatasetFormat.TEXT;
    }

    /** One assistant message holding the whole text, so that every token is trained on. */
    @Override
    public Conversation toConversation(boolean chatTemplate) {
        return Conversation.of(Message.assistant(text));
    }
}
