package dev.loraplane.datasets.encode;

import dev.loraplane.datasets.Message;
import java.util.List;

/**
 * The base model's chat template: what Hugging Face's {@code apply_chat_template(messages,
 * tokenize=False, add_generation_prompt=…)} returns. The engine implements it.
 *
 * <p>The encoder finds each assistant turn by rendering prefixes of the conversation, so a
 * template must be <em>prefix-stable</em>: rendering the first {@code k} messages (with or without
 * the generation prompt, when an assistant message follows) must give a prefix of rendering them
 * all. Templates that rewrite earlier turns once later ones exist (e.g. dropping earlier
 * reasoning) are refused with a {@link dev.loraplane.datasets.DatasetException}.
 */
@FunctionalInterface
public interface ChatRenderer {

    /**
     * @param messages the conversation so far; {@link Message#train()} is for the encoder and does
     *     not change the text
     * @param addGenerationPrompt whether to end with the header that opens an assistant turn
     *     (e.g. {@code <|im_start|>assistant\n}), as at inference
     * @return the text, including any beginning-of-sequence text the template writes
     */
    String render(List<Message> messages, boolean addGenerationPrompt);
}
