package dev.loraplane.engine.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.loraplane.datasets.encode.ExampleEncoder;
import dev.loraplane.datasets.prepare.DatasetPreparer;
import dev.loraplane.datasets.prepare.PreparedDataset;
import dev.loraplane.engine.generate.GenerationRequest;
import dev.loraplane.engine.generate.Generator;
import dev.loraplane.engine.generate.SamplingParams;
import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.lora.LoraBatch;
import dev.loraplane.engine.lora.LoraConfig;
import dev.loraplane.engine.model.Adapters;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.model.Quantization;
import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import dev.loraplane.engine.tokenizer.ChatMessage;
import dev.loraplane.engine.tokenizer.Tokenizer;
import dev.loraplane.engine.tokenizer.TrainingText;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiny built-in base learns 40 made-up facts through LoRA (and through QLoRA on its NF4 base):
 * afterwards it answers nearly all of them exactly, where the base answers none.
 */
class TrainerTest {

    static final LoraConfig LORA = new LoraConfig(16, 32, 0.05, LoraConfig.MODULES, false, "loraplane-tiny");
    static final TrainingConfig TRAINING = new TrainingConfig(60, 0, 4, 1, 3e-3, 10,
            TrainingConfig.Schedule.COSINE, 0, 1.0, 0, 0, 7);

    @TempDir
    static Path dir;

    static Tokenizer tokenizer;
    static Facts facts;
    static PreparedDataset data;

    @BeforeAll
    static void prepare() throws Exception {
        TinyModel.write(Preset.TINY, dir.resolve("tiny"), 0);
        tokenizer = Tokenizer.load(dir.resolve("tiny"));
        facts = Facts.generate(48, 1);
        data = prepareData(dir, tokenizer, facts);
    }

    /** The first 40 facts as packed training rows of 256 tokens, the other 8 as validation rows. */
    static PreparedDataset prepareData(Path dir, Tokenizer tokenizer, Facts facts) throws java.io.IOException {
        Facts train = new Facts(facts.questions().subList(0, 40), facts.answers().subList(0, 40));
        Facts heldOut = new Facts(facts.questions().subList(40, 48), facts.answers().subList(40, 48));
        TrainingText text = new TrainingText(tokenizer);
        ExampleEncoder encoder = ExampleEncoder.builder().setTokenizer(text).setMaxTokens(256)
                .optChatRenderer(text.chatRenderer()).build();
        return DatasetPreparer.builder().setEncoder(encoder).optSeed(7).build()
                .prepare(train.writeJsonl(dir.resolve("train.jsonl")), heldOut.writeJsonl(dir.resolve("valid.jsonl")));
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void loraLearnsTheFacts() {
        learnsTheFacts(Quantization.NONE);
    }

    @Test
    void qloraOnTheNf4BaseLearnsTheFactsToo() {
        learnsTheFacts(Quantization.NF4);
    }

    private void learnsTheFacts(Quantization quantization) {
        try (Llama model = Llama.load(dir.resolve("tiny"), ai.djl.Device.cpu(), ai.djl.ndarray.types.DataType.FLOAT32, quantization);
                LoraAdapter adapter = LoraAdapter.initialize("facts", LORA, model, 7)) {
            List<TrainingEvent> events = new ArrayList<>();
            Trainer trainer = new Trainer(model, adapter, TRAINING, data.train(), data.validation(), null, events::add);
            double before = trainer.evaluate();
            assertThat(exactAnswers(model, Adapters.NONE)).as("the base model knows none of the facts").isZero();

            trainer.run();

            double after = ((TrainingEvent.Completed) events.get(events.size() - 1)).finalEvalLoss();
            assertThat(after).as("validation loss falls").isLessThan(before * 0.8);
            TrainingEvent.Progress first = (TrainingEvent.Progress) events.get(0);
            TrainingEvent.Progress last = (TrainingEvent.Progress) events.stream()
                    .filter(e -> e instanceof TrainingEvent.Progress).reduce((a, b) -> b).orElseThrow();
            assertThat(last.loss()).as("training loss falls").isLessThan(first.loss() / 4);
            try (NDManager m = model.manager().newSubManager(); LoraBatch batch = LoraBatch.single(adapter, 40, m)) {
                int correct = exactAnswers(model, batch);
                System.out.printf("%s: %d/40 exact after %d steps, train loss %.3f → %.3f, eval loss %.3f → %.3f, %.1f s%n",
                        quantization, correct, last.step(), first.loss(), last.loss(), before, after, last.elapsedSeconds());
                assertThat(correct).as("facts answered exactly (of 40)").isGreaterThanOrEqualTo(38);
            }
        }
    }

    /** Greedy answers to the 40 training questions, batched, that equal the trained answer exactly. */
    private int exactAnswers(Llama model, Adapters adapters) {
        Set<Integer> stops = new HashSet<>(model.config().eosTokenIds());
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String prompt = tokenizer.chatTemplate().render(List.of(ChatMessage.user(facts.questions().get(i))), true);
            requests.add(new GenerationRequest(tokenizer.encode(prompt, false), SamplingParams.greedy(16, stops)));
        }
        var generations = new Generator(model).generate(requests, adapters);
        int correct = 0;
        for (int i = 0; i < 40; i++) {
            if (tokenizer.decode(generations.get(i).tokenIds(), true).strip().equals(facts.answers().get(i))) {
                correct++;
            }
        }
        return correct;
    }
}
