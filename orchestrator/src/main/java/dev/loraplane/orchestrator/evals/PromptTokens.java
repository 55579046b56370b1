package dev.loraplane.orchestrator.evals;

import dev.loraplane.engine.tokenizer.ChatMessage;
import dev.loraplane.engine.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A variant's prompt for one example as token ids, and the reference answer as the tokens that follow
 * it when the chat template renders the whole conversation: the answer and its end-of-turn token, as
 * training sees them (markup after the end of turn, such as a newline, is not the model's to say).
 *
 * @param prompt the chat template's rendering with the generation prompt
 * @param reference the reference's tokens after {@code prompt}
 */
public record PromptTokens(int[] prompt, int[] reference) {

    public static PromptTokens of(Tokenizer tokenizer, List<ChatMessage> prompt, String reference) {
        int[] ids = tokenizer.encode(tokenizer.chatTemplate().render(prompt, true), false);
        List<ChatMessage> whole = new ArrayList<>(prompt);
        whole.add(ChatMessage.assistant(reference));
        int[] all = tokenizer.encode(tokenizer.chatTemplate().render(whole, false), false);
        int[] answer;
        if (all.length > ids.length && Arrays.equals(all, 0, ids.length, ids, 0, ids.length)) {
            answer = Arrays.copyOfRange(all, ids.length, all.length);
            int end = -1;
            for (int i = 0; i < answer.length && end < 0; i++) {
                if (answer[i] == tokenizer.eosTokenId()) {
                    end = i;
                }
            }
            if (end >= 0) {
                answer = Arrays.copyOf(answer, end + 1);
            }
        } else {
            int[] words = tokenizer.encode(reference, false);
            answer = Arrays.copyOf(words, words.length + 1);
            answer[words.length] = tokenizer.eosTokenId();
        }
        return new PromptTokens(ids, answer);
    }
}
