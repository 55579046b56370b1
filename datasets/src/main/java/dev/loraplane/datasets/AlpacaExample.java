package dev.loraplane.datasets;

import java.util.Objects;

/**
 * A Stanford Alpaca example: {@code {"instruction": "…", "input": "…", "output": "…"}}, where
 * {@code input} is optional. The model trains on the output only.
 *
 * @param instruction the task, never empty
 * @param input further context, or an empty string
 * @param output what the model learns to produce, never empty
 */
public record AlpacaExample(String instruction, String input, String output) implements Example {

    /** Alpaca's prompt for an example with an input (from tatsu-lab/stanford_alpaca, {@code train.py}). */
    public static final String PROMPT_WITH_INPUT = "Below is an instruction that describes a task, paired with an input"
            + " that provides further context. Write a response that appropriately completes the request.\n\n"
            + "### Instruction:\n%s\n\n### Input:\n%s\n\n### Response:\n";

    /** Alpaca's prompt for an example without an input. */
    public static final String PROMPT_NO_INPUT = "Below is an instruction that describes a task."
            + " Write a response that appropriately completes the request.\n\n"
            + "### Instruction:\n%s\n\n### Response:\n";

    public AlpacaExample {
        Objects.requireNonNull(instruction, "instruction");
        input = input == null ? "" : input;
        Objects.requireNonNull(output, "output");
    }

    @Override
    public DatasetFormat format() {
        return DatasetFormat.ALPACA;
    }

    /**
     * With a chat template: a user turn holding the instruction (and the input after a blank line)
     * and an assistant turn holding the output. Without one: the standard Alpaca prompt ("Below is
     * an instruction that describes a task…") as the user text, followed directly by the output.
     */
    @Override
    public Conversation toConversation(boolean chatTemplate) {
        String user;
        if (chatTemplate) {
            user = input.isEmpty() ? instruction : instruction + "\n\n" + input;
        } else {
            user = input.isEmpty() ? String.format(PROMPT_NO_INPUT, instruction)
                    : String.format(PROMPT_WITH_INPUT, instruction, input);
        }
        return Conversation.of(Message.user(user), Message.assistant(output));
    }
}
