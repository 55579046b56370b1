package dev.loraplane.datasets;

import java.util.Objects;

/**
 * A prompt/completion example: {@code {"prompt": "…", "completion": "…"}}. The model trains on the
 * completion only.
 *
 * @param prompt the input, possibly empty
 * @param completion what the model learns to produce, never empty
 */
public record CompletionExample(String prompt, String completion) implements Example {

    public CompletionExample {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(completion, "completion");
    }

    @Override
    public DatasetFormat format() {
        return DatasetFormat.COMPLETION;
    }

    /**
     * A user turn with the prompt and an assistant turn with the completion. Without a chat
     * template the two are concatenated as they are, as OpenAI's legacy completion fine-tuning did:
     * put any separator into the prompt.
     */
    @Override
    public Conversation toConversation(boolean chatTemplate) {
        return Conversation.of(Message.user(prompt), Message.assistant(completion));
    }
}
