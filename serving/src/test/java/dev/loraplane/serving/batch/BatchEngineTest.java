package dev.loraplane.serving.batch;

import static dev.loraplane.serving.batch.TinyServing.greedy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.engine.generate.Generation;
import dev.loraplane.engine.lora.LoraAdapter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Continuous batching gives every greedy request exactly the tokens it gets alone from the static
 * generator, whatever mix of adapters it runs with, whenever it joins, and across cache compaction.
 */
class BatchEngineTest {

    @TempDir
    static Path dir;

    static TinyServing tiny;

    static final List<String> PROMPTS = List.of("a", "The quick brown fox", "Hi there", "1, 2, 3, 4, 5, 6, 7, 8",
            "Once upon a time", "x y", "Hello, world!", "Sing");

    @BeforeAll
    static void load() {
        tiny = new TinyServing(dir, 6);
    }

    @AfterAll
    static void close() {
        tiny.close();
    }

    /** One request, its expected output, and its handle once submitted. */
    record Case(int[] prompt, LoraAdapter adapter, int maxTokens, Generation alone) {

        static Case of(String prompt, LoraAdapter adapter, int maxTokens) {
            int[] ids = tiny.prompt(prompt);
            return new Case(ids, adapter, maxTokens, tiny.alone(ids, greedy(maxTokens), adapter));
        }

        SequenceRequest request() {
            return new SequenceRequest(prompt, greedy(maxTokens), adapter);
        }
    }

    private static void assertAlone(List<Case> cases, List<SequenceHandle> handles) throws Exception {
        for (int i = 0; i < cases.size(); i++) {
            Completion done = handles.get(i).completion().get(20, TimeUnit.SECONDS);
            Case c = cases.get(i);
            String who = "request " + i + " (" + (c.adapter() == null ? "base" : c.adapter().name()) + ")";
            assertThat(done.tokenIds()).as(who).containsExactly(c.alone().tokenIds());
            assertThat(done.finishReason()).as(who).isEqualTo(c.alone().finishReason());
        }
    }

    @Test
    void aMixedBatchOfAdaptersAndBaseRequestsGivesEachWhatItGetsAlone() throws Exception {
        List<LoraAdapter> a = tiny.adapters;
        LoraAdapter[] mix = {a.get(0), a.get(1), a.get(2), null, a.get(0), null, a.get(1), a.get(2)};
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < mix.length; i++) {
            cases.add(Case.of(PROMPTS.get(i), mix[i], 16));
        }
        for (int i = 0; i < 3; i++) {
            int[] base = tiny.alone(cases.get(i).prompt(), greedy(16), null).tokenIds();
            assertThat(cases.get(i).alone().tokenIds()).as("adapter %d changes the answer", i).isNotEqualTo(base);
        }
        List<StepStats> steps = new CopyOnWriteArrayList<>();
        try (BatchEngine engine = new BatchEngine(tiny.model, tiny.decoder, new BatchConfig(8, 128, 16, 8), steps::add)) {
            List<SequenceHandle> handles = cases.stream().map(c -> engine.submit(c.request())).toList();
            assertAlone(cases, handles);
        }
        assertThat(steps.stream().mapToInt(StepStats::rows).max().orElse(0)).as("rows decoded in one step").isEqualTo(8);
        assertThat(steps.stream().mapToInt(StepStats::distinctAdapters).max().orElse(0)).isEqualTo(3);
    }

    @Test
    void requestsJoiningWhileOthersDecodeGetWhatTheyGetAlone() throws Exception {
        List<LoraAdapter> a = tiny.adapters;
        Case first = Case.of("Hi", a.get(3), 120); // long enough to be running still on a busy machine
        // A prompt longer than the columns filled so far makes the running rows shift right.
        List<Case> later = List.of(Case.of("The quick brown fox jumps over the lazy dog, again and again", a.get(4), 12),
                Case.of("Once", null, 12), Case.of("Hello, world!", a.get(3), 12));
        CountDownLatch tokens = new CountDownLatch(5);
        try (BatchEngine engine = new BatchEngine(tiny.model, tiny.decoder, new BatchConfig(4, 160, 8, 4))) {
            SequenceHandle running = engine.submit(new SequenceRequest(first.prompt(), greedy(120), first.adapter(),
                    new SequenceListener() {
                        @Override
                        public void onToken(int tokenId) {
                            tokens.countDown();
                        }
                    }));
            assertThat(tokens.await(20, TimeUnit.SECONDS)).isTrue();
            List<SequenceHandle> handles = later.stream().map(c -> engine.submit(c.request())).toList();
            assertThat(running.completion().isDone()).as("the first request was still decoding").isFalse();
            assertAlone(later, handles);
            assertAlone(List.of(first), List.of(running));
        }
    }

    @Test
    void rowsThatJoinedApartAreReseatedByAdapterAndGetWhatTheyGetAlone() throws Exception {
        List<LoraAdapter> a = tiny.adapters;
        // Two requests start first; then two for each of six adapters (those two included) join.
        List<Case> first = List.of(Case.of("Hi", a.get(0), 120), Case.of("Sing", a.get(1), 120));
        List<Case> later = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            LoraAdapter adapter = a.get(i < 2 ? i : 2 + (i - 2) / 2);
            later.add(Case.of(PROMPTS.get(i % PROMPTS.size()), adapter, 12));
        }
        CountDownLatch tokens = new CountDownLatch(4);
        SequenceListener counting = new SequenceListener() {
            @Override
            public void onToken(int tokenId) {
                tokens.countDown();
            }
        };
        try (BatchEngine engine = new BatchEngine(tiny.model, tiny.decoder, new BatchConfig(12, 160, 16, 6))) {
            List<SequenceHandle> running = first.stream()
                    .map(c -> engine.submit(new SequenceRequest(c.prompt(), greedy(c.maxTokens()), c.adapter(), counting)))
                    .toList();
            assertThat(tokens.await(20, TimeUnit.SECONDS)).isTrue();
            List<SequenceHandle> handles = later.stream().map(c -> engine.submit(c.request())).toList();
            assertAlone(later, handles);
            assertThat(running.get(0).completion().isDone()).as("the first requests were still decoding").isFalse();
            assertAlone(first, running);
            assertThat(engine.regroups()).as("times rows were reseated").isPositive();
        }
    }

    @Test
    void anIdleEngineWaitsOutABurstSoItsRequestsArePrefilledTogether() throws Exception {
        // Six requests 20 ms apart: within a 200 ms window they all take the first step; with none,
        // the first request has decoded alone long before the last arrives.
        assertThat(firstStepRows(Duration.ofMillis(200))).isEqualTo(6);
        assertThat(firstStepRows(Duration.ZERO)).isLessThan(6);
    }

    private static int firstStepRows(Duration window) throws Exception {
        List<StepStats> steps = new CopyOnWriteArrayList<>();
        try (BatchEngine engine = new BatchEngine(tiny.model, tiny.decoder, new BatchConfig(8, 64, 8, 8, window), steps::add)) {
            List<SequenceHandle> handles = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                handles.add(engine.submit(new SequenceRequest(tiny.prompt(PROMPTS.get(i)), greedy(3), tiny.adapters.get(i % 3))));
                Thread.sleep(20);
            }
            for (SequenceHandle handle : handles) {
                handle.completion().get(20, TimeUnit.SECONDS);
            }
        }
        return steps.get(0).rows();
    }

    @Test
    void aSmallCacheCompactsUnderAStreamOfRequestsAndOutputsStayTheSame() throws Exception {
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            cases.add(Case.of(PROMPTS.get(i % PROMPTS.size()), i % 4 == 3 ? null : tiny.adapters.get(i % 3), 10 + i % 5));
        }
        int capacity = 40;
        List<StepStats> steps = new CopyOnWriteArrayList<>();
        try (BatchEngine engine = new BatchEngine(tiny.model, tiny.decoder, new BatchConfig(3, capacity, 16, 3), steps::add)) {
            List<SequenceHandle> handles = cases.stream().map(c -> engine.submit(c.request())).toList();
            assertAlone(cases, handles);
        }
        int full = 0;
        while (full < steps.size() && steps.get(full).columns() < capacity) {
            full++;
        }
        assertThat(full).as("a step filled every column").isLessThan(steps.size() - 1);
        assertThat(steps.get(full + 1).columns()).as("the next step ran after a shift").isLessThan(capacity);
    }

    @Test
    void promptsPrefilledTogetherSplitTheirPassesTimeByPromptTokens() throws Exception {
        List<int[]> prompts = List.of(tiny.prompt("Hi"), tiny.prompt("Hello there, friend"), tiny.prompt("Once upon a time there was"),
                tiny.prompt("Why?"), tiny.prompt("A much longer prompt than the others, to weigh more"), tiny.prompt("Ok"));
        try (BatchEngine engine = new BatchEngine(tiny.model, tiny.decoder, new BatchConfig(8, 128, 8, 8))) {
            List<SequenceHandle> handles = prompts.stream().map(p -> engine.submit(new SequenceRequest(p, greedy(2), null))).toList();
            double shares = 0;
            double longestWait = 0;
            for (SequenceHandle handle : handles) {
                Timings t = handle.completion().get(20, TimeUnit.SECONDS).timings();
                assertThat(t.prefill()).isPositive();
                assertThat(t.prefill()).isLessThanOrEqualTo(t.timeToFirstToken().minus(t.queue()));
                shares += t.prefill().toNanos();
                longestWait = Math.max(longestWait, t.timeToFirstToken().toNanos());
            }
            // Each pass's time is counted once among its prompts, so the shares add up to no more than
            // the passes took; a pass's full time given to each of its prompts would count it several times.
            assertThat(shares).isLessThanOrEqualTo(longestWait);
        }
    }

    @Test
    void aSequenceThatFillsTheWholeContextEndsWithLength() throws Exception {
        int[] prompt = tiny.prompt("Hello");
        int capacity = 16;
        try (BatchEngine engine = new BatchEngine(tiny.model, tiny.decoder, new BatchConfig(2, capacity, 4, 2))) {
            Completion done = engine.submit(new SequenceRequest(prompt, greedy(40), tiny.adapters.get(0)))
                    .completion().get(20, TimeUnit.SECONDS);
            // Every column holds a prompt or reply token, and the last token sampled needs none.
            int expected = capacity - prompt.length + 1;
            assertThat(done.finishReason()).isEqualTo(Completion.LENGTH);
            assertThat(done.tokenIds()).containsExactly(
                    Arrays.copyOf(tiny.alone(prompt, greedy(40), tiny.adapters.get(0)).tokenIds(), expected));
        }
    }

    @Test
    void withMoreAdaptersInDemandThanSlotsEveryRequestCompletesAndNoStepExceedsTheLimit() throws Exception {
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < 18; i++) {
            cases.add(Case.of(PROMPTS.get(i % PROMPTS.size()), tiny.adapters.get(i % 6), 6 + i % 4));
        }
        List<StepStats> steps = new CopyOnWriteArrayList<>();
        try (BatchEngine engine = new BatchEngine(tiny.model, tiny.decoder, new BatchConfig(4, 64, 32, 2), steps::add)) {
            List<SequenceHandle> handles = cases.stream().map(c -> engine.submit(c.request())).toList();
            assertAlone(cases, handles);
        }
        assertThat(steps).allSatisfy(s -> assertThat(s.distinctAdapters()).isLessThanOrEqualTo(2));
        assertThat(steps.stream().mapToInt(StepStats::distinctAdapters).max().orElse(0)).isEqualTo(2);
    }
}
