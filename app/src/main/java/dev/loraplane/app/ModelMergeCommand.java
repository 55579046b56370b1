package dev.loraplane.app;

import dev.loraplane.engine.lora.AdapterMerge;
import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.model.Llama;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Fold a LoRA adapter into a copy of its base model (W + scaling·B·A), for runtimes without LoRA.")
final class ModelMergeCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "the base model directory")
    Path model;

    @Option(names = "--adapter", required = true, paramLabel = "DIR", description = "the PEFT adapter directory")
    Path adapter;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where to write the merged model")
    Path out;

    @Override
    public void run() {
        try (Llama base = Llama.load(model);
                LoraAdapter lora = LoraAdapter.fromCheckpoint(adapter.getFileName().toString(), adapter, base)) {
            AdapterMerge.write(model, lora, out, base.manager());
        }
        spec.commandLine().getOut().println("merged " + adapter + " into " + model + ": " + out.toAbsolutePath());
    }
}
