package dev.loraplane.datasets.encode;

import static dev.loraplane.datasets.encode.FakeTokenizer.decode;
import static dev.loraplane.datasets.encode.FakeTokenizer.decodeSelected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loraplane.datasets.AlpacaExample;
import dev.loraplane.datasets.ChatExample;
import dev.loraplane.datasets.CompletionExample;
import dev.loraplane.datasets.DatasetException;
import dev.loraplane.datasets.Message;
import dev.loraplane.datasets.Role;
import dev.loraplane.datasets.TextExample;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExampleEncoderTest {

    private static final ChatExample GREETING = new ChatExample(List.of(
            Message.system("You are terse."), Message.user("Hi"), Message.assistant("Hello.")));

    private static ExampleEncoder chatml(boolean trainOnInputs) {
        return ExampleEncoder.builder().setTokenizer(new FakeTokenizer(false)).optChatRenderer(new ChatMl())
                .setMaxTokens(1000).optTrainOnInputs(trainOnInputs).build();
    }

    private static ExampleEncoder plain(int maxTokens, Overflow overflow) {
        return ExampleEncoder.builder().setTokenizer(new FakeTokenizer(true)).setMaxTokens(maxTokens)
                .optOverflow(overflow).build();
    }

    @Test
    void chatTrainsOnExactlyTheAssistantTurnAndItsEndOfTurn() {
        EncodedExample encoded = chatml(false).encode(GREETING);

        assertThat(decode(encoded.tokens())).isEqualTo("<|im_start|>system\nYou are terse.<|im_end|>\n"
                + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello.<|im_end|>\n");
        assertThat(decodeSelected(encoded.tokens(), encoded.lossMask())).isEqualTo("Hello.<|im_end|>\n");
        assertThat(encoded.fit()).isEqualTo(EncodedExample.Fit.WHOLE);
        assertThat(encoded.targetCount()).isEqualTo("Hello.".length() + 2);
    }

    @Test
    void everyAssistantTurnIsTrainedExceptThoseWithWeightZero() {
        ChatExample turns = new ChatExample(List.of(Message.user("a"), new Message(Role.ASSISTANT, "bad", false),
                Message.user("c"), Message.assistant("good"), Message.user("e"), Message.assistant("fine")));

        EncodedExample encoded = chatml(false).encode(turns);

        assertThat(decodeSelected(encoded.tokens(), encoded.lossMask())).isEqualTo("good<|im_end|>\n|fine<|im_end|>\n");
    }

    @Test
    void trainOnInputsTrainsEverythingButTheFirstTokenAndWeightZeroTurns() {
        ChatExample turns = new ChatExample(List.of(Message.user("a"), new Message(Role.ASSISTANT, "bad", false),
                Message.user("c"), Message.assistant("good")));

        EncodedExample encoded = chatml(true).encode(turns);

        assertThat(encoded.lossMask()[0]).isFalse();
        assertThat(decodeSelected(encoded.tokens(), encoded.lossMask())).isEqualTo("user\na<|im_end|>\n"
                + "<|im_start|>assistant\n|<|im_start|>user\nc<|im_end|>\n<|im_start|>assistant\ngood<|im_end|>\n");
    }

    @Test
    void completionAndAlpacaBecomeAUserAssistantConversationUnderATemplate() {
        EncodedExample completion = chatml(false).encode(new CompletionExample("2+2=", "4"));
        EncodedExample alpaca = chatml(false).encode(new AlpacaExample("Add.", "2 2", "4"));

        assertThat(decode(completion.tokens()))
                .isEqualTo("<|im_start|>user\n2+2=<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n");
        assertThat(decodeSelected(completion.tokens(), completion.lossMask())).isEqualTo("4<|im_end|>\n");
        assertThat(decode(alpaca.tokens()))
                .isEqualTo("<|im_start|>user\nAdd.\n\n2 2<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n");
        assertThat(decodeSelected(alpaca.tokens(), alpaca.lossMask())).isEqualTo("4<|im_end|>\n");
    }

    @Test
    void withoutATemplateCompletionIsConcatenatedBetweenBosAndEosAndTheEosIsTrained() {
        EncodedExample encoded = plain(100, Overflow.TRUNCATE).encode(new CompletionExample("2+2=", " 4"));

        assertThat(decode(encoded.tokens())).isEqualTo("<s>2+2= 4</s>");
        assertThat(decodeSelected(encoded.tokens(), encoded.lossMask())).isEqualTo(" 4</s>");
    }

    @Test
    void withoutATemplateAlpacaUsesTheStandardAlpacaPrompt() {
        EncodedExample withInput = plain(1000, Overflow.TRUNCATE).encode(new AlpacaExample("Add.", "2 2", "4"));
        EncodedExample noInput = plain(1000, Overflow.TRUNCATE).encode(new AlpacaExample("Say hi.", "", "hi"));

        assertThat(decode(withInput.tokens())).isEqualTo("<s>Below is an instruction that describes a task, paired"
                + " with an input that provides further context. Write a response that appropriately completes the"
                + " request.\n\n### Instruction:\nAdd.\n\n### Input:\n2 2\n\n### Response:\n4</s>");
        assertThat(decodeSelected(withInput.tokens(), withInput.lossMask())).isEqualTo("4</s>");
        assertThat(decode(noInput.tokens())).isEqualTo("<s>Below is an instruction that describes a task. Write a"
                + " response that appropriately completes the request.\n\n### Instruction:\nSay hi.\n\n"
                + "### Response:\nhi</s>");
    }

    @Test
    void plainTextTrainsOnEveryTokenAfterTheFirstAndIgnoresTheTemplate() {
        EncodedExample encoded = ExampleEncoder.builder().setTokenizer(new FakeTokenizer(true))
                .optChatRenderer(new ChatMl()).setMaxTokens(100).build().encode(new TextExample("once upon"));

        assertThat(decode(encoded.tokens())).isEqualTo("<s>once upon</s>");
        assertThat(decodeSelected(encoded.tokens(), encoded.lossMask())).isEqualTo("once upon</s>");
    }

    @Test
    void overLongExamplesAreTruncatedOrDropped() {
        TextExample text = new TextExample("abcdefghij");

        EncodedExample truncated = plain(5, Overflow.TRUNCATE).encode(text);
        EncodedExample dropped = plain(5, Overflow.DROP).encode(text);

        assertThat(decode(truncated.tokens())).isEqualTo("<s>abcd");
        assertThat(truncated.fit()).isEqualTo(EncodedExample.Fit.TRUNCATED);
        assertThat(truncated.fullLength()).isEqualTo(12);
        assertThat(truncated.kept()).isTrue();
        assertThat(dropped.fit()).isEqualTo(EncodedExample.Fit.TOO_LONG);
        assertThat(dropped.kept()).isFalse();
    }

    @Test
    void anExampleLeftWithNothingToTrainOnIsDropped() {
        EncodedExample promptOnly = plain(5, Overflow.TRUNCATE).encode(new CompletionExample("a long prompt", "x"));
        EncodedExample allWeightZero = chatml(false).encode(new ChatExample(List.of(Message.user("a"),
                new Message(Role.ASSISTANT, "b", false))));

        assertThat(promptOnly.fit()).isEqualTo(EncodedExample.Fit.NO_TARGETS);
        assertThat(allWeightZero.fit()).isEqualTo(EncodedExample.Fit.NO_TARGETS);
    }

    @Test
    void aTokenStraddlingATurnBoundaryCountsToTheTurnThatStartsThere() {
        // Two characters per token: "ab|cd|e" — the completion "de" starts inside the token "cd".
        Tokenizer pairs = new Tokenizer() {
            @Override
            public int[] encode(String text) {
                int[] tokens = new int[(text.length() + 1) / 2];
                for (int i = 0; i < tokens.length; i++) {
                    String pair = text.substring(2 * i, Math.min(text.length(), 2 * i + 2));
                    tokens[i] = pair.hashCode();
                }
                return tokens;
            }

            @Override
            public int eosTokenId() {
                return -1;
            }
        };
        ExampleEncoder encoder = ExampleEncoder.builder().setTokenizer(pairs).setMaxTokens(100).build();

        EncodedExample encoded = encoder.encode(new CompletionExample("abc", "de"));

        assertThat(encoded.tokens()).containsExactly("ab".hashCode(), "cd".hashCode(), "e".hashCode(), -1);
        assertThat(encoded.lossMask()).containsExactly(false, true, true, true);
    }

    @Test
    void countTokensIsTheLengthBeforeTruncation() {
        assertThat(plain(5, Overflow.TRUNCATE).countTokens(new TextExample("abcdefghij"))).isEqualTo(12);
        assertThat(chatml(false).countTokens(GREETING)).isEqualTo(chatml(false).encode(GREETING).length());
    }

    @Test
    void chatExamplesNeedAChatTemplate() {
        assertThatThrownBy(() -> plain(100, Overflow.TRUNCATE).encode(GREETING))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("chat examples need the base model's chat template");
    }

    @Test
    void aTemplateThatRewritesEarlierTurnsIsRefused() {
        ChatRenderer unstable = (messages, generationPrompt) ->
                new ChatMl().render(messages, generationPrompt) + "<|im_start|>turns: " + messages.size();
        ExampleEncoder encoder = ExampleEncoder.builder().setTokenizer(new FakeTokenizer(false))
                .optChatRenderer(unstable).setMaxTokens(1000).build();

        assertThatThrownBy(() -> encoder.encode(GREETING))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("renders messages[0..2] differently once later messages follow");
    }
}
