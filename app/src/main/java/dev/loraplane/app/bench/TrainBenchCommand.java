package dev.loraplane.app.bench;

import static dev.loraplane.app.bench.BenchSupport.round;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loraplane.datasets.pack.PackedSequence;
import dev.loraplane.engine.lora.LoraConfig;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.model.Quantization;
import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Training tokens/s and peak memory, LoRA and QLoRA.",
            "",
            "Trains a LoRA adapter on a built-in preset, on the full-precision base (LoRA) and on the NF4",
            "base (QLoRA), with each run's peak memory and the bytes the base weights keep resident."
        })
final class TrainBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--preset", defaultValue = "bench", description = "bench (about 25M parameters) or tiny (default: ${DEFAULT-VALUE})")
    String preset;

    @Option(names = "--steps", defaultValue = "6", description = "optimizer steps timed after the warm-up (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--warmup-steps", defaultValue = "1", description = "optimizer steps run first and not timed (default: ${DEFAULT-VALUE})")
    int warmupSteps;

    @Option(names = "--batch-size", defaultValue = "4", description = "rows per step (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--seq-len", defaultValue = "256", description = "tokens per row (default: ${DEFAULT-VALUE})")
    int seqLen;

    @Option(names = "--rank", defaultValue = "16", description = "LoRA rank r, on all 7 projections (default: ${DEFAULT-VALUE})")
    int rank;

    @Option(names = "--only", description = "lora or qlora: run only that one, e.g. for its own peak RSS in a fresh process")
    String only;

    @Option(names = "--json", description = "print one JSON object instead of a table")
    boolean json;

    /** One run's figures, for the table. */
    private record Row(String name, TrainBench.Throughput throughput, long residentBytes, OptionalLong startRss,
            OptionalLong peakRss, long peakHeap) {}

    @Override
    public Integer call() throws IOException {
        Preset chosen = BenchSupport.preset(preset);
        validate(chosen);
        LoraConfig lora = new LoraConfig(rank, 2.0 * rank, 0.05, LoraConfig.MODULES, false, chosen.modelName());
        List<PackedSequence> rows = TrainBench.rows(batchSize * (warmupSteps + steps), seqLen, chosen.vocabSize(), 1);
        Path dir = Files.createTempDirectory("loraplane-bench-");
        try {
            TinyModel.write(chosen, dir, 0);
            ObjectNode result = new ObjectMapper().createObjectNode();
            result.put("preset", preset);
            result.put("parameters", chosen.parameterCount());
            result.put("rank", rank);
            result.put("batch_size", batchSize);
            result.put("seq_len", seqLen);
            result.put("warmup_steps", warmupSteps);
            result.put("steps", steps);
            result.put("threads", Runtime.getRuntime().availableProcessors());
            List<Row> table = new ArrayList<>();
            boolean rssPerRun = true;
            // QLoRA first: a process's resident set rarely shrinks, so the second run's peak is at
            // least what the first left behind; the first run's peak is its own.
            for (Quantization quantization : List.of(Quantization.NF4, Quantization.NONE)) {
                String name = quantization == Quantization.NONE ? "lora" : "qlora";
                if (only == null || only.equals(name)) {
                    rssPerRun &= ProcessMemory.resetPeaks();
                    table.add(measure(dir, quantization, name, lora, rows, result));
                }
            }
            if (table.size() == 2) {
                result.put("qlora_over_lora_tokens_per_s",
                        round(result.get("qlora_tokens_per_s").asDouble() / result.get("lora_tokens_per_s").asDouble()));
            }
            note(result, table.size() == 2, rssPerRun);
            print(result, table);
            return 0;
        } finally {
            BenchSupport.deleteTree(dir);
        }
    }

    /** Loads the base, trains on it and puts the run's figures, each key prefixed with its name, in {@code result}. */
    private Row measure(Path dir, Quantization quantization, String name, LoraConfig lora, List<PackedSequence> rows,
            ObjectNode result) {
        OptionalLong startRss = ProcessMemory.rssBytes();
        try (Llama model = Llama.load(dir, Device.cpu(), DataType.FLOAT32, quantization)) {
            long resident = model.weights().residentBytes();
            if (quantization == Quantization.NF4) {
                result.put("nf4_resident_bytes", resident);
                result.put("nf4_bits_per_param", BenchSupport.quantizedBitsPerParam(model));
            } else {
                result.put("resident_bytes", resident);
            }
            TrainBench.Throughput t = TrainBench.run(model, lora, rows, batchSize, warmupSteps, steps, 7);
            OptionalLong peakRss = ProcessMemory.peakRssBytes();
            long peakHeap = ProcessMemory.peakHeapBytes();
            result.put(name + "_tokens_per_s", round(t.tokensPerSecond()));
            result.put(name + "_seconds_per_step", Math.round(t.secondsPerStep() * 1000) / 1000.0);
            result.put(name + "_final_loss", round(t.lastLoss()));
            putBytes(result, name + "_start_rss_bytes", startRss);
            putBytes(result, name + "_peak_rss_bytes", peakRss);
            result.put(name + "_peak_heap_bytes", peakHeap);
            return new Row(name, t, resident, startRss, peakRss, peakHeap);
        }
    }

    /** Says how far the second run's peak RSS is its own. */
    private static void note(ObjectNode result, boolean both, boolean rssPerRun) {
        result.put("rss_peak_per_run", rssPerRun);
        if (!both || result.get("lora_peak_rss_bytes").isNull()) {
            return;
        }
        result.put("rss_note", rssPerRun
                ? "the QLoRA run goes first and the memory it frees stays with the process, so lora_peak_rss_bytes is"
                        + " at least lora_start_rss_bytes; run with --only lora for LoRA's own peak"
                : "VmHWM could not be reset between runs, so lora_peak_rss_bytes is the peak of both runs;"
                        + " run with --only lora for LoRA's own peak");
    }

    /** A figure /proc gives, or null where there is none. */
    private static void putBytes(ObjectNode result, String key, OptionalLong bytes) {
        if (bytes.isPresent()) {
            result.put(key, bytes.getAsLong());
        } else {
            result.putNull(key);
        }
    }

    private void validate(Preset chosen) {
        require(steps >= 1, "--steps must be at least 1, not " + steps);
        require(warmupSteps >= 0, "--warmup-steps must be 0 or more, not " + warmupSteps);
        require(batchSize >= 1, "--batch-size must be at least 1, not " + batchSize);
        require(rank >= 1, "--rank must be at least 1, not " + rank);
        require(only == null || only.equals("lora") || only.equals("qlora"),
                "--only '" + only + "' is not a run; expected lora or qlora");
        require(seqLen >= 2 && seqLen <= chosen.maxPositions(), "--seq-len " + seqLen + " does not fit the " + preset
                + " preset; use 2 to " + chosen.maxPositions());
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private void print(ObjectNode result, List<Row> table) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(result.toPrettyString());
            return;
        }
        out.printf(Locale.ROOT, "preset %s: %,d parameters; LoRA rank %d on all 7 projections; %d rows of %d tokens a step, "
                + "%d timed steps after %d warm-up; %d threads%n", preset, result.get("parameters").asLong(), rank, batchSize,
                seqLen, steps, warmupSteps, result.get("threads").asInt());
        out.println("run     tokens/s   s/step   base weights RSS at start     peak RSS    peak heap");
        for (Row row : table) {
            out.printf(Locale.ROOT, "%-6s %9.0f %8.3f %14s %12s %12s %12s%n", row.name(), row.throughput().tokensPerSecond(),
                    row.throughput().secondsPerStep(), mib(row.residentBytes()), mib(row.startRss()), mib(row.peakRss()),
                    mib(row.peakHeap()));
        }
        if (result.has("nf4_bits_per_param")) {
            out.printf(Locale.ROOT, "nf4: %.3f bits per quantized parameter%n", result.get("nf4_bits_per_param").asDouble());
        }
        if (result.has("qlora_over_lora_tokens_per_s")) {
            out.printf(Locale.ROOT, "qlora_over_lora_tokens_per_s = %.2f%n", result.get("qlora_over_lora_tokens_per_s").asDouble());
        }
        if (result.has("rss_note")) {
            out.println("note: " + result.get("rss_note").asText());
        }
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    private static String mib(OptionalLong bytes) {
        return bytes.isPresent() ? mib(bytes.getAsLong()) : "n/a";
    }
}
