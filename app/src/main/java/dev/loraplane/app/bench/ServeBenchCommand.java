package dev.loraplane.app.bench;

import static dev.loraplane.app.bench.BenchSupport.round;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loraplane.engine.generate.SamplingParams;
import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.lora.LoraConfig;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.model.ModelInfo;
import dev.loraplane.engine.tiny.TinyModel;
import dev.loraplane.serving.adapters.AdapterCache;
import dev.loraplane.serving.adapters.AdapterLoader;
import dev.loraplane.serving.adapters.AdapterVersion;
import dev.loraplane.serving.adapters.CachedAcquire;
import dev.loraplane.serving.adapters.ColdLoad;
import dev.loraplane.serving.adapters.LocalAdapters;
import dev.loraplane.serving.batch.BatchConfig;
import dev.loraplane.serving.batch.BatchEngine;
import dev.loraplane.serving.batch.SequenceHandle;
import dev.loraplane.serving.batch.SequenceRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Multi-LoRA serving throughput: one batch of concurrent requests on the base model, spread over",
            "8 and over N distinct adapters in the same batches, and the naive alternative of serving one",
            "adapter at a time (requests grouped by adapter, groups one after another); adapter cold-load",
            "latency from local disk, and what acquiring an adapter already in memory costs. Greedy, every",
            "request exactly --max-tokens long. One running server (one batch engine, its adapter slots as",
            "many as the requests) serves every case: each is run once to warm up, then --repeat rounds of",
            "every case in turn, the order reversed every other round. Each case's median round is",
            "reported, and its ratio to the base is the median of the rounds' ratios (each against the base",
            "of its own round, seconds apart), which the drift of a shared machine moves less."
        })
final class ServeBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--preset", defaultValue = "bench", description = "bench (about 25M parameters) or tiny (default: ${DEFAULT-VALUE})")
    String preset;

    @Option(names = "--concurrency", defaultValue = "64", description = "requests in flight together (default: ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--max-tokens", defaultValue = "64", description = "tokens generated per request (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--prompt-tokens", defaultValue = "16", description = "prompt length (default: ${DEFAULT-VALUE})")
    int promptTokens;

    @Option(names = "--rank", defaultValue = "8", description = "LoRA rank, on all 7 projections (default: ${DEFAULT-VALUE})")
    int rank;

    @Option(names = "--naive-groups", defaultValue = "8",
            description = "groups run in the one-adapter-at-a-time baseline; its rate holds for any count (default: ${DEFAULT-VALUE})")
    int naiveGroups;

    @Option(names = "--repeat", defaultValue = "9",
            description = "timed rounds of the cases; medians are reported, ratios the median of each round's own (default: ${DEFAULT-VALUE})")
    int repeat;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("loraplane-bench-serve-");
        try {
            Path modelDir = dir.resolve("model");
            TinyModel.write(BenchSupport.preset(preset), modelDir, 0);
            try (Llama model = Llama.load(modelDir)) {
                LoraConfig config = new LoraConfig(rank, 2.0 * rank, 0, LoraConfig.MODULES, false, preset);
                List<LoraAdapter> adapters = new ArrayList<>();
                try {
                    for (int i = 0; i < concurrency; i++) {
                        LoraAdapter adapter = LoraAdapter.initialize("bench-" + i, config, model, 100 + i);
                        adapter.modules().values().forEach(m -> m.b().addi(0.01f));   // a real update, not zero
                        adapters.add(adapter);
                    }
                    return run(model, modelDir, adapters, dir);
                } finally {
                    adapters.forEach(LoraAdapter::close);
                }
            }
        } finally {
            BenchSupport.deleteTree(dir);
        }
    }

    private int run(Llama model, Path modelDir, List<LoraAdapter> adapters, Path dir) throws Exception {
        int vocab = model.config().vocabSize();
        SplittableRandom random = new SplittableRandom(7);
        int[][] prompts = new int[concurrency][promptTokens];
        for (int[] prompt : prompts) {
            for (int t = 0; t < prompt.length; t++) {
                prompt[t] = 3 + random.nextInt(vocab - 3);
            }
        }
        BatchConfig config = new BatchConfig(concurrency, promptTokens + maxTokens + 1, concurrency, concurrency);
        Rounds rounds;
        double base;
        double mixed8;
        double mixed;
        double naive;
        try (BatchEngine engine = new BatchEngine(model, null, config)) {
            List<IntFunction<LoraAdapter>> cases = List.of(i -> null, i -> adapters.get(i % 8), adapters::get);
            rounds = rounds(engine, prompts, cases);
            base = rounds.median(0);
            mixed8 = rounds.median(1);
            mixed = rounds.median(2);
            naive = oneAtATime(engine, prompts, adapters);
        }
        Path saved = dir.resolve("adapter-16");
        try (LoraAdapter sixteen = LoraAdapter.initialize("cold", new LoraConfig(16, 32, 0, LoraConfig.MODULES, false, preset),
                model, 3)) {
            sixteen.save(saved);
        }
        ColdLoad cold = ColdLoad.measure(new AdapterLoader(preset, model, 64), new AdapterVersion("cold", 1, preset, saved.toString(),
                () -> saved), 50);
        LocalAdapters local = new LocalAdapters();
        local.register("cached", saved);
        CachedAcquire cached;
        try (AdapterCache cache = AdapterCache.builder().setSource(local).setModel(preset, model)
                .setMeterRegistry(new SimpleMeterRegistry()).build()) {
            cached = CachedAcquire.measure(cache, "cached", 2000);
        }
        long baseParams = ModelInfo.read(modelDir).parameters();
        long adapterParams = adapters.get(0).modules().values().stream().mapToLong(m -> m.a().size() + m.b().size()).sum();

        ObjectNode result = new ObjectMapper().createObjectNode();
        result.put("preset", preset).put("concurrency", concurrency).put("max_tokens", maxTokens).put("rank", rank)
                .put("repeat", repeat)
                .put("adapter_weight_fraction", round(adapterParams / (double) baseParams));
        result.put("base_tokens_per_s", round(base)).put("mixed8_tokens_per_s", round(mixed8))
                .put("mixed" + concurrency + "_tokens_per_s", round(mixed))
                .put("one_adapter_at_a_time_tokens_per_s", round(naive))
                .put("mixed8_vs_base", round(rounds.ratio(1))).put("mixed" + concurrency + "_vs_base", round(rounds.ratio(2)))
                .put("mixed8_vs_one_at_a_time", round(mixed8 / naive))
                .put("mixed" + concurrency + "_vs_one_at_a_time", round(mixed / naive))
                .put("cold_load_ms_p50", round(cold.p50Ms())).put("cold_load_ms_p99", round(cold.p99Ms()))
                .put("cached_acquire_us_p50", round(cached.p50Micros())).put("cached_acquire_us_p99", round(cached.p99Micros()));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(result.toPrettyString());
            return 0;
        }
        out.printf(Locale.ROOT, "%d requests × %d tokens on the %s preset, rank-%d adapters on all 7 projections (%.1f%% of the base's weights)%n",
                concurrency, maxTokens, preset, rank, 100.0 * adapterParams / baseParams);
        out.printf(Locale.ROOT, "base model only            %8.0f tokens/s%n", base);
        out.printf(Locale.ROOT, "8 adapters, one batch      %8.0f tokens/s  %.2f× base%n", mixed8, rounds.ratio(1));
        out.printf(Locale.ROOT, "%d adapters, one batch     %8.0f tokens/s  %.2f× base%n", concurrency, mixed, rounds.ratio(2));
        out.printf(Locale.ROOT, "one adapter at a time      %8.0f tokens/s  (batched: %.1f× and %.1f× this)%n", naive, mixed8 / naive,
                mixed / naive);
        out.printf(Locale.ROOT, "cold load, rank 16         p50 %.1f ms  p99 %.1f ms%n", cold.p50Ms(), cold.p99Ms());
        out.printf(Locale.ROOT, "cached adapter, acquire    p50 %.1f µs  p99 %.1f µs%n", cached.p50Micros(), cached.p99Micros());
        return 0;
    }

    /**
     * Each case once untimed, then {@link #repeat} rounds of every case in turn, every other round
     * in reverse order so that no case always follows the same one.
     */
    private Rounds rounds(BatchEngine engine, int[][] prompts, List<IntFunction<LoraAdapter>> cases) throws Exception {
        for (IntFunction<LoraAdapter> adapterOf : cases) {
            batch(engine, prompts, adapterOf);
        }
        double[][] runs = new double[cases.size()][Math.max(1, repeat)];
        for (int round = 0; round < runs[0].length; round++) {
            for (int i = 0; i < cases.size(); i++) {
                int c = round % 2 == 0 ? i : cases.size() - 1 - i;
                runs[c][round] = batch(engine, prompts, cases.get(c));
            }
        }
        return new Rounds(runs);
    }

    /** Every request at once; generated tokens per second of wall time. */
    private double batch(BatchEngine engine, int[][] prompts, IntFunction<LoraAdapter> adapterOf) throws Exception {
        long start = System.nanoTime();
        List<SequenceHandle> handles = new ArrayList<>();
        for (int i = 0; i < prompts.length; i++) {
            handles.add(engine.submit(new SequenceRequest(prompts[i], sampling(), adapterOf.apply(i))));
        }
        long tokens = 0;
        for (SequenceHandle handle : handles) {
            tokens += handle.completion().get(30, TimeUnit.MINUTES).completionTokens();
        }
        return tokens / ((System.nanoTime() - start) / 1e9);
    }

    /**
     * The naive server: one adapter loaded at a time, its requests batched, the next adapter's after.
     * With one request per adapter each group is a batch of one; {@code naiveGroups} groups are timed.
     */
    private double oneAtATime(BatchEngine engine, int[][] prompts, List<LoraAdapter> adapters) throws Exception {
        int groups = Math.min(naiveGroups, adapters.size());
        long start = System.nanoTime();
        long tokens = 0;
        for (int g = 0; g < groups; g++) {
            tokens += engine.submit(new SequenceRequest(prompts[g], sampling(), adapters.get(g))).completion()
                    .get(30, TimeUnit.MINUTES).completionTokens();
        }
        return tokens / ((System.nanoTime() - start) / 1e9);
    }

    private SamplingParams sampling() {
        return new SamplingParams(maxTokens, 0, 1, 0, 0, Set.of(), List.of());
    }
}
