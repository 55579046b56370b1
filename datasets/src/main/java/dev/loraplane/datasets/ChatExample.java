package dev.loraplane.datasets;

import java.util.List;

/**
 * An OpenAI chat example: {@code {"messages": [{"role": "user", "content": "…"}, {"role":
 * "assistant", "content": "…", "weight": 1}]}}.
 *
 * @param messages the messages, at least one from the assistant; an assistant message with
 *     {@code "weight": 0} has {@link Message#train()} false
 */
public record ChatExample(List<Message> messages) implements Example {

    public ChatExample {
        messages = List.copyOf(messages);
    }

    @Override
    public DatasetFormat format() {
        return DatasetFormat.CHAT;
    }

    /** The messages as they are; a chat example needs a chat template to be encoded. */
    @Override
    public Conversation toConversation(boolean chatTemplate) {
        return new Conversation(messages);
    }
}
