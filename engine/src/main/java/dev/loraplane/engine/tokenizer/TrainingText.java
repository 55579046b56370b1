package dev.loraplane.engine.tokenizer;

import dev.loraplane.datasets.Message;
import dev.loraplane.datasets.encode.ChatRenderer;
import java.util.List;
import java.util.OptionalInt;

/**
 * A model's tokenizer and chat template seen through the datasets module's interfaces, so training
 * files are encoded exactly as the model will later be prompted.
 */
public final class TrainingText implements dev.loraplane.datasets.encode.Tokenizer {

    private final Tokenizer tokenizer;

    public TrainingText(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Special-token text in the input becomes its id; nothing is added around it. */
    @Override
    public int[] encode(String text) {
        return tokenizer.encode(text, false);
    }

    @Override
    public int eosTokenId() {
        return tokenizer.eosTokenId();
    }

    @Override
    public OptionalInt bosTokenId() {
        return tokenizer.bosTokenId() < 0 ? OptionalInt.empty() : OptionalInt.of(tokenizer.bosTokenId());
    }

    @Override
    public int padTokenId() {
        return tokenizer.padTokenId() >= 0 ? tokenizer.padTokenId() : tokenizer.eosTokenId();
    }

    /** The model's chat template as a renderer, or null when the tokenizer has none. */
    public ChatRenderer chatRenderer() {
        if (tokenizer.config().chatTemplate() == null) {
            return null;
        }
        ChatTemplate template = tokenizer.chatTemplate();
        return (messages, addGenerationPrompt) -> template.render(toChat(messages), addGenerationPrompt);
    }

    private static List<ChatMessage> toChat(List<Message> messages) {
        return messages.stream().map(m -> new ChatMessage(m.role().wireName(), m.content())).toList();
    }
}
