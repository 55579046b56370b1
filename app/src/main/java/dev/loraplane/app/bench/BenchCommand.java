package dev.loraplane.app.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure speed and memory on this machine (benchmarks, not tests).",
        subcommands = {ForwardBenchCommand.class, TrainBenchCommand.class, ApiBenchCommand.class, ServeBenchCommand.class})
public final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
