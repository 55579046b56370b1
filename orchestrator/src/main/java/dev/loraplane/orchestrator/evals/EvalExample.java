package dev.loraplane.orchestrator.evals;

import dev.loraplane.datasets.Conversation;
import dev.loraplane.datasets.DatasetException;
import dev.loraplane.datasets.DatasetReader;
import dev.loraplane.datasets.Message;
import dev.loraplane.datasets.ProblemCode;
import dev.loraplane.datasets.Role;
import dev.loraplane.engine.tokenizer.ChatMessage;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * One held-out example: the conversation up to its last assistant message, and that message as the
 * reference answer. Any training-file format reads as one (chat, prompt/completion, Alpaca); plain
 * {@code text} examples have no answer to compare with and are refused.
 *
 * @param index 0, 1, … in file order
 * @param line the line of the file it came from
 * @param prompt the messages before the reference
 */
public record EvalExample(int index, long line, List<ChatMessage> prompt, String reference) {

    public EvalExample {
        prompt = List.copyOf(prompt);
    }

    /**
     * Reads every example of a dataset file.
     *
     * @param param the request field that names the file, for errors
     * @throws InvalidEvalException when the file has no examples or one without a reference answer
     */
    public static List<EvalExample> read(InputStream in, String param) {
        List<EvalExample> examples = new ArrayList<>();
        try {
            DatasetReader.read(in, null, numbered -> {
                Conversation conversation = numbered.example().toConversation(true);
                List<Message> messages = conversation.messages();
                Message last = messages.get(messages.size() - 1);
                if (last.role() != Role.ASSISTANT || messages.size() < 2) {
                    throw new InvalidEvalException(param, "no_reference", "line " + numbered.line() + ": the example does not end"
                            + " with an assistant answer after a prompt, so there is no reference to score against");
                }
                examples.add(new EvalExample(examples.size(), numbered.line(), chat(messages.subList(0, messages.size() - 1)),
                        last.content()));
            });
        } catch (DatasetException e) {
            boolean empty = e.problem().map(p -> p.code() == ProblemCode.EMPTY_FILE).orElse(false);
            throw new InvalidEvalException(param, empty ? "empty_dataset" : "invalid_dataset",
                    empty ? "the dataset has no examples" : e.getMessage());
        }
        if (examples.isEmpty()) {
            throw new InvalidEvalException(param, "empty_dataset", "the dataset has no examples");
        }
        return examples;
    }

    static List<ChatMessage> chat(List<Message> messages) {
        return messages.stream().map(m -> new ChatMessage(m.role().wireName(), m.content())).toList();
    }
}
