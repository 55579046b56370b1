package dev.loraplane.datasets.encode;

import dev.loraplane.datasets.Conversation;
import dev.loraplane.datasets.DatasetException;
import dev.loraplane.datasets.Message;
import dev.loraplane.datasets.Role;
import java.util.ArrayList;
import java.util.List;

/**
 * A conversation rendered to one string, with the characters of each assistant turn.
 *
 * @param text the whole conversation
 * @param assistantTurns the span of each assistant message, in order
 * @param templated whether a chat template wrote the text; if not, the encoder adds BOS and EOS
 */
record RenderedText(String text, List<Turn> assistantTurns, boolean templated) {

    /**
     * Characters {@code [start, end)} of one assistant turn.
     *
     * @param train whether the turn is trained on ({@code weight} 1)
     */
    record Turn(int start, int end, boolean train) {}

    /**
     * Renders with the chat template and finds each assistant turn {@code k} by rendering prefixes:
     * it starts where {@code render(messages[0..k), addGenerationPrompt=true)} ends, after the
     * template's assistant header, and ends where {@code render(messages[0..k], false)} ends, after
     * the template's end-of-turn text (e.g. {@code <|im_end|>\n}), so the model learns to stop.
     */
    static RenderedText withTemplate(ChatRenderer renderer, Conversation conversation) {
        List<Message> messages = conversation.messages();
        String text = renderer.render(messages, false);
        List<Turn> turns = new ArrayList<>();
        for (int k = 0; k < messages.size(); k++) {
            if (messages.get(k).role() != Role.ASSISTANT) {
                continue;
            }
            String before = renderer.render(conversation.prefix(k), true);
            String through = renderer.render(conversation.prefix(k + 1), false);
            if (!text.startsWith(before) || !text.startsWith(through) || before.length() > through.length()) {
                throw new DatasetException("the chat template renders messages[0.." + k + "] differently once later"
                        + " messages follow, so assistant turns cannot be found by rendering prefixes; use a"
                        + " template that renders each turn independently of later ones");
            }
            turns.add(new Turn(before.length(), through.length(), messages.get(k).train()));
        }
        return new RenderedText(text, turns, true);
    }

    /** Concatenates the message contents verbatim; the encoder adds BOS before and EOS after. */
    static RenderedText plain(Conversation conversation) {
        StringBuilder text = new StringBuilder();
        List<Turn> turns = new ArrayList<>();
        for (Message message : conversation.messages()) {
            int start = text.length();
            text.append(message.content());
            if (message.role() == Role.ASSISTANT) {
                turns.add(new Turn(start, text.length(), message.train()));
            }
        }
        return new RenderedText(text.toString(), turns, false);
    }
}
