package dev.loraplane.app;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** The launcher run in-process as a person runs it, with what it prints captured. */
final class Cli {

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    /** Runs {@code loraplane args…} with fresh output buffers; returns the exit code. */
    int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }
}
