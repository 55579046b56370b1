package dev.loraplane.app.bench;

import static dev.loraplane.app.bench.BenchSupport.round;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "forward", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Prefill and decode tokens/s, full precision and NF4.",
            "",
            "Runs a built-in preset at several batch sizes, with the base in full precision and in NF4, and",
            "reports the bytes the base weights keep resident."
        })
final class ForwardBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--preset", defaultValue = "bench", description = "bench (about 25M parameters) or tiny (default: ${DEFAULT-VALUE})")
    String preset;

    @Option(names = "--batches", split = ",", defaultValue = "1,16,64", description = "batch sizes (default: ${DEFAULT-VALUE})")
    int[] batches;

    @Option(names = "--prompt-tokens", defaultValue = "64", description = "tokens per prompt in the prefill (default: ${DEFAULT-VALUE})")
    int promptTokens;

    @Option(names = "--decode-steps", defaultValue = "32", description = "decode steps timed after the prefill (default: ${DEFAULT-VALUE})")
    int decodeSteps;

    @Option(names = "--json", description = "print one JSON object instead of a table")
    boolean json;

    @Override
    public Integer call() throws IOException {
        Preset chosen = BenchSupport.preset(preset);
        Path dir = Files.createTempDirectory("loraplane-bench-");
        try {
            TinyModel.write(chosen, dir, 0);
            ObjectNode result = new ObjectMapper().createObjectNode();
            result.put("preset", preset);
            result.put("parameters", chosen.parameterCount());
            result.put("prompt_tokens", promptTokens);
            result.put("decode_steps", decodeSteps);
            result.put("threads", Runtime.getRuntime().availableProcessors());
            List<String> table = new ArrayList<>();
            for (Quantization quantization : Quantization.values()) {
                String prefix = quantization == Quantization.NONE ? "" : quantization.name().toLowerCase(Locale.ROOT) + "_";
                try (Llama model = Llama.load(dir, Device.cpu(), DataType.FLOAT32, quantization)) {
                    ForwardBench.run(model, 2, 8, 4, 1);   // warm-up: JIT, allocator, libtorch's thread pool
                    result.put(prefix + "resident_bytes", model.weights().residentBytes());
                    if (quantization != Quantization.NONE) {
                        result.put(prefix + "bits_per_param", BenchSupport.quantizedBitsPerParam(model));
                    }
                    for (int batch : batches) {
                        ForwardBench.Throughput t = ForwardBench.run(model, batch, promptTokens, decodeSteps, batch);
                        result.put(prefix + "prefill_tokens_per_s_b" + batch, round(t.prefillTokensPerSecond()));
                        result.put(prefix + "decode_tokens_per_s_b" + batch, round(t.decodeTokensPerSecond()));
                        table.add(String.format(Locale.ROOT, "%-5s %5d %12.0f %12.0f", quantization.name().toLowerCase(Locale.ROOT),
                                batch, t.prefillTokensPerSecond(), t.decodeTokensPerSecond()));
                    }
                }
            }
            ratios(result);
            print(result, table);
            return 0;
        } finally {
            BenchSupport.deleteTree(dir);
        }
    }

    private void ratios(ObjectNode r) {
        int last = batches[batches.length - 1];
        if (r.has("decode_tokens_per_s_b16") && r.has("decode_tokens_per_s_b1")) {
            r.put("decode_b16_over_b1", round(r.get("decode_tokens_per_s_b16").asDouble() / r.get("decode_tokens_per_s_b1").asDouble()));
        }
        r.put("nf4_over_full_decode_b" + last, round(r.get("nf4_decode_tokens_per_s_b" + last).asDouble()
                / r.get("decode_tokens_per_s_b" + last).asDouble()));
    }

    private void print(ObjectNode result, List<String> table) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(result.toPrettyString());
            return;
        }
        out.printf(Locale.ROOT, "preset %s: %,d parameters; prompts of %d tokens, then %d decode steps; %d threads%n",
                preset, result.get("parameters").asLong(), promptTokens, decodeSteps, result.get("threads").asInt());
        out.println("base  batch  prefill tok/s  decode tok/s");
        table.forEach(out::println);
        out.printf(Locale.ROOT, "resident base weights: full %,d bytes, nf4 %,d bytes (%.3f bits per quantized parameter)%n",
                result.get("resident_bytes").asLong(), result.get("nf4_resident_bytes").asLong(),
                result.get("nf4_bits_per_param").asDouble());
        result.fieldNames().forEachRemaining(name -> {
            if (name.contains("_over_")) {
                out.printf(Locale.ROOT, "%s = %.2f%n", name, result.get(name).asDouble());
            }
        });
    }
}
