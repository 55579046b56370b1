package dev.loraplane.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loraplane.engine.generate.SamplingParams;
import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.lora.LoraConfig;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import dev.loraplane.engine.tokenizer.ChatMessage;
import dev.loraplane.serving.api.CompletionBackend;
import dev.loraplane.serving.api.ServingException;
import dev.loraplane.serving.batch.Completion;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Teacher-forced scoring agrees with generation: a model's own greedy answer is, token by token, what
 * it ranks first, so scoring it as the reference finds every token correct; an adapter that changes
 * the answers does not.
 */
class ReferenceScorerTest {

    @TempDir
    Path dir;

    /** The greedy answer of {@code model} and the engine's account of it. */
    private static Completion answer(Serving serving, String model, int[] prompt) throws Exception {
        CompletableFuture<Completion> done = new CompletableFuture<>();
        serving.backend().submit("t", model, prompt, SamplingParams.greedy(10, Set.of()), new CompletionBackend.TokenSink() {
            Completion completion;

            @Override
            public void token(int tokenId) {}

            @Override
            public void accounted(Completion c) {
                completion = c;
            }

            @Override
            public void finished(String finishReason, String stopString) {
                done.complete(completion);
            }

            @Override
            public void failed(Throwable error) {
                done.completeExceptionally(error);
            }
        }).get(120, TimeUnit.SECONDS);
        return done.get(120, TimeUnit.SECONDS);
    }

    @Test
    void aModelsOwnGreedyAnswerScoresEveryTokenCorrectAndAnotherModelsDoesNot() throws Exception {
        Path tiny = dir.resolve("tiny");
        TinyModel.write(Preset.TINY, tiny, 0);
        Path adapterDir = dir.resolve("adapter");
        try (Llama model = Llama.load(tiny); LoraAdapter lora = LoraAdapter.initialize("a",
                new LoraConfig(8, 16, 0, List.of("q_proj", "v_proj"), false, "loraplane-tiny"), model, 1)) {
            lora.modules().values().forEach(m -> m.b().addi(0.5f));
            lora.save(adapterDir);
        }
        try (Serving serving = Serving.open(tiny, "loraplane-tiny", null, (tenant, name) -> name, tenant -> List.of(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), new Serving.Settings(4, 256, 16, 2, 4, 64, Duration.ZERO, Duration.ZERO, 10))) {
            serving.backend().loadAdapter("other", adapterDir);
            var tokenizer = serving.backend().tokenizer();
            int[] prompt = tokenizer.encode(tokenizer.chatTemplate().render(List.of(ChatMessage.user("What is the capital of Quatam?")),
                    true), false);
            Completion base = answer(serving, "loraplane-tiny", prompt);
            assertThat(base.completionTokens()).isEqualTo(10);
            assertThat(base.timings().timeToFirstToken()).isGreaterThan(base.timings().queue());

            ReferenceScore own = serving.scorer().score("t", "loraplane-tiny", prompt, base.tokenIds()).get(60, TimeUnit.SECONDS);
            assertThat(own.tokens()).isEqualTo(10);
            assertThat(own.correct()).as("greedy tokens are the argmax under teacher forcing").isEqualTo(10);
            assertThat(own.lossSum()).isPositive().isFinite();

            Completion adapted = answer(serving, "other", prompt);
            assertThat(adapted.tokenIds()).as("the adapter changes the answer").isNotEqualTo(base.tokenIds());
            ReferenceScore foreign = serving.scorer().score("t", "other", prompt, base.tokenIds()).get(60, TimeUnit.SECONDS);
            assertThat(foreign.correct()).isLessThan(10);
            assertThat(foreign.lossSum()).as("the base's answer is less likely under the adapter").isGreaterThan(own.lossSum());
            ReferenceScore adaptersOwn = serving.scorer().score("t", "other", prompt, adapted.tokenIds()).get(60, TimeUnit.SECONDS);
            assertThat(adaptersOwn.correct()).isEqualTo(adapted.completionTokens());

            assertThatThrownBy(() -> serving.scorer().score("t", "nobody", prompt, base.tokenIds()).get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ServingException.class).hasMessageContaining("nobody");
            assertThatThrownBy(() -> serving.scorer().score("t", "loraplane-tiny", prompt, new int[0]).get())
                    .cause().isInstanceOf(ServingException.class);
            assertThat(Arrays.stream(base.tokenIds()).allMatch(id -> id >= 0)).isTrue();
        }
    }
}
