package dev.loraplane.app;

import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "init", mixinStandardHelpOptions = true,
        description = {
            "Write a built-in base model: a seeded random-init Llama in Hugging Face layout",
            "(config.json, model.safetensors, a byte-level tokenizer.json, a ChatML chat template).",
            "tiny (loraplane-tiny) is the laptop default and fine-tunes in under a minute on a CPU;",
            "bench (about 25M parameters) is what the benchmarks run."
        })
final class ModelInitCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--preset", defaultValue = "tiny", description = "tiny or bench (default: ${DEFAULT-VALUE})")
    String preset;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the directory to write")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "the same seed writes the same bytes (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public void run() {
        Preset chosen;
        try {
            chosen = Preset.valueOf(preset.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--preset '" + preset + "' is not a preset; expected tiny or bench");
        }
        TinyModel.write(chosen, out, seed);
        spec.commandLine().getOut().printf(Locale.ROOT, "wrote %s (%s, %,d parameters) to %s%n",
                chosen.modelName(), preset.toLowerCase(Locale.ROOT), chosen.parameterCount(), out.toAbsolutePath());
    }
}
