package dev.loraplane.datasets;

import java.util.List;

/**
 * The normalized form of every training example: the messages the chat template renders, each
 * flagged with whether the model trains on it. {@link Example#toConversation(boolean)} builds one
 * from any of the four file formats.
 *
 * @param messages at least one message, in order
 */
public record Conversation(List<Message> messages) {

    public Conversation {
        messages = List.copyOf(messages);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a conversation needs at least one message");
        }
    }

    public static Conversation of(Message... messages) {
        return new Conversation(List.of(messages));
    }

    public int size() {
        return messages.size();
    }

    public Message get(int index) {
        return messages.get(index);
    }

    /** The first {@code count} messages, as a chat template renders a conversation so far. */
    public List<Message> prefix(int count) {
        return messages.subList(0, count);
    }
}
