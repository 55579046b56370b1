package dev.loraplane.app;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "model", mixinStandardHelpOptions = true,
        description = "Inspect, create and run base models in Hugging Face layout.",
        subcommands = {ModelInfoCommand.class, ModelInitCommand.class, ModelGenerateCommand.class, ModelMergeCommand.class})
final class ModelCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
