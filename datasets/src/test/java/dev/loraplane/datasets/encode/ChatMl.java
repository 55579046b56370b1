package dev.loraplane.datasets.encode;

import dev.loraplane.datasets.Message;
import java.util.List;

/** The ChatML template (Qwen's and OpenAI's markup), as a chat template renders it. */
public final class ChatMl implements ChatRenderer {

    @Override
    public String render(List<Message> messages, boolean addGenerationPrompt) {
        StringBuilder text = new StringBuilder();
        for (Message message : messages) {
            text.append("<|im_start|>").append(message.role().wireName()).append('\n')
                    .append(message.content()).append("<|im_end|>\n");
        }
        if (addGenerationPrompt) {
            text.append("<|im_start|>assistant\n");
        }
        return text.toString();
    }
}
