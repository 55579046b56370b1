package dev.loraplane.datasets;

import java.util.Objects;

/**
 * One message of a conversation, in the form the encoder and a chat template consume.
 *
 * @param role who speaks
 * @param content the text
 * @param train whether the model learns to produce this message: true for an assistant message
 *     unless the file gave it {@code "weight": 0}; false for system and user messages
 */
public record Message(Role role, String content, boolean train) {

    public Message {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        if (train && role != Role.ASSISTANT) {
            throw new IllegalArgumentException("only assistant messages are trained on, not " + role.wireName() + " messages");
        }
    }

    public static Message system(String content) {
        return new Message(Role.SYSTEM, content, false);
    }

    public static Message user(String content) {
        return new Message(Role.USER, content, false);
    }

    /** An assistant message the model learns from ({@code weight} 1). */
    public static Message assistant(String content) {
        return new Message(Role.ASSISTANT, content, true);
    }
}
