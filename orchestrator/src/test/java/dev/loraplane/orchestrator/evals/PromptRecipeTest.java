package dev.loraplane.orchestrator.evals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loraplane.engine.tokenizer.ChatMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptRecipeTest {

    private static List<EvalExample> read(String jsonl) {
        return EvalExample.read(new ByteArrayInputStream(jsonl.getBytes(StandardCharsets.UTF_8)), "dataset");
    }

    @Test
    void systemPromptShotsAndTemplateWrapTheExample() {
        PromptRecipe recipe = new PromptRecipe("Answer with the capital only.",
                List.of(ChatMessage.user("Gliew?"), ChatMessage.assistant("Glika.")), "Q: {input}\nA:");
        List<ChatMessage> prompt = recipe.apply(List.of(ChatMessage.system("Be nice."), ChatMessage.user("Quatam?")));
        assertThat(prompt).containsExactly(ChatMessage.system("Answer with the capital only."), ChatMessage.user("Q: Gliew?\nA:"),
                ChatMessage.assistant("Glika."), ChatMessage.user("Q: Quatam?\nA:"));
        assertThat(PromptRecipe.NONE.apply(List.of(ChatMessage.system("Be nice."), ChatMessage.user("Quatam?"))))
                .as("no recipe keeps the example's own prompt")
                .containsExactly(ChatMessage.system("Be nice."), ChatMessage.user("Quatam?"));
        assertThatThrownBy(() -> new PromptRecipe(null, List.of(), "no placeholder")).hasMessageContaining("{input}");
    }

    @Test
    void shotsAreDrawnBySeedKeptInFileOrderWithoutSystemTurns() {
        List<EvalExample> file = read("""
                {"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "a"}, {"role": "assistant", "content": "A"}]}
                {"messages": [{"role": "user", "content": "b"}, {"role": "assistant", "content": "B"}]}
                {"messages": [{"role": "user", "content": "c"}, {"role": "assistant", "content": "C"}]}
                {"messages": [{"role": "user", "content": "d"}, {"role": "assistant", "content": "D"}]}
                """);
        List<ChatMessage> two = PromptRecipe.draw(file, 2, 5);
        assertThat(two).hasSize(4).doesNotContain(ChatMessage.system("S"));
        assertThat(PromptRecipe.draw(file, 2, 5)).isEqualTo(two);
        List<String> users = two.stream().filter(m -> m.role().equals("user")).map(ChatMessage::content).toList();
        assertThat(users).isSorted();
        assertThat(PromptRecipe.draw(file, 10, 5)).as("all of them when the file has fewer").hasSize(8);
    }

    @Test
    void anExampleWithoutAnAnswerOrAnEmptyFileIsRefusedNamingTheField() {
        assertThatThrownBy(() -> read("{\"text\": \"just some text\"}\n")).isInstanceOfSatisfying(InvalidEvalException.class,
                e -> {
                    assertThat(e.param()).isEqualTo("dataset");
                    assertThat(e.getMessage()).contains("line 1");
                });
        assertThatThrownBy(() -> read("")).isInstanceOfSatisfying(InvalidEvalException.class, e -> {
            assertThat(e.param()).isEqualTo("dataset");
            assertThat(e.code()).isEqualTo("empty_dataset");
        });
        List<EvalExample> examples = read("{\"instruction\": \"Add\", \"input\": \"2 and 3\", \"output\": \"5\"}\n");
        assertThat(examples.get(0).reference()).isEqualTo("5");
        assertThat(examples.get(0).prompt()).hasSize(1);
    }
}
