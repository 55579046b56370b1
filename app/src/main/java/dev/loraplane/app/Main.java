package dev.loraplane.app;

import dev.loraplane.app.agent.AgentCommand;
import dev.loraplane.app.bench.BenchCommand;
import dev.loraplane.app.client.EvalCommand;
import dev.loraplane.app.client.FilesCommand;
import dev.loraplane.app.client.JobsCommand;
import dev.loraplane.app.serve.ServeCommand;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code loraplane} launcher: one jar, one subcommand per job. */
@Command(
        name = "loraplane",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Fine-tuning job orchestrator with multi-LoRA serving.",
        subcommands = {VersionCommand.class, DoctorCommand.class, UpCommand.class, FilesCommand.class, JobsCommand.class, EvalCommand.class,
            ModelCommand.class, TrainCommand.class, WorkerCommand.class, AgentCommand.class, ServeCommand.class,
            BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with loraplane's output conventions: UTF-8 on both streams. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true));
        cli.setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
        cli.setExecutionExceptionHandler(new CliErrors());
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
