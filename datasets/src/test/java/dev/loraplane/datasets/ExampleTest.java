package dev.loraplane.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExampleTest {

    @Test
    void everyFormatNormalizesToAConversationThatTrainsOnItsCompletion() {
        assertThat(new CompletionExample("p", "c").toConversation(false))
                .isEqualTo(Conversation.of(Message.user("p"), Message.assistant("c")));
        assertThat(new TextExample("t").toConversation(true)).isEqualTo(Conversation.of(Message.assistant("t")));
        assertThat(new ChatExample(List.of(Message.user("u"), Message.assistant("a"))).toConversation(true).messages())
                .extracting(Message::train).containsExactly(false, true);
    }

    @Test
    void alpacaPutsTheInstructionAndInputInTheUserTurnUnderATemplate() {
        assertThat(new AlpacaExample("Add.", "2 2", "4").toConversation(true))
                .isEqualTo(Conversation.of(Message.user("Add.\n\n2 2"), Message.assistant("4")));
        assertThat(new AlpacaExample("Say hi.", null, "hi").toConversation(true))
                .isEqualTo(Conversation.of(Message.user("Say hi."), Message.assistant("hi")));
    }

    @Test
    void alpacaUsesTheAlpacaPromptWithoutATemplate() {
        assertThat(new AlpacaExample("Say hi.", "", "hi").toConversation(false).get(0).content())
                .startsWith("Below is an instruction that describes a task. Write a response")
                .endsWith("### Instruction:\nSay hi.\n\n### Response:\n");
    }

    @Test
    void onlyAssistantMessagesCanBeTrainedOn() {
        assertThatThrownBy(() -> new Message(Role.USER, "u", true)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("only assistant messages are trained on, not user messages");
    }

    @Test
    void formatsAndRolesHaveTheirWireNames() {
        assertThat(DatasetFormat.fromWireName("alpaca")).isEqualTo(DatasetFormat.ALPACA);
        assertThatThrownBy(() -> DatasetFormat.fromWireName("sharegpt"))
                .hasMessage("unknown dataset format 'sharegpt'; expected one of chat, completion, alpaca, text");
        assertThat(Role.fromWireName("assistant")).contains(Role.ASSISTANT);
        assertThat(Role.fromWireName("Assistant")).isEmpty();
    }
}
