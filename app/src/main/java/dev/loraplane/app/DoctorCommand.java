package dev.loraplane.app;

import dev.loraplane.engine.accelerator.Accelerators;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {
            "Check that this machine can run loraplane.",
            "",
            "Checks Java, loads the PyTorch engine offline from the libtorch bundled in the jar, lists the",
            "accelerator plugins and the devices they find, and shows where data will live. Each check",
            "prints ✓ or ✗; a failed check prints a one-line fix. Exits 0 when every check passes, 1 otherwise."
        })
final class DoctorCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Ansi ansi = spec.commandLine().getColorScheme().ansi();
        Doctor doctor = new Doctor(Home.fromEnvironment(System.getenv()), Accelerators::plugins);
        List<Check> checks = doctor.run();
        for (Check check : checks) {
            String mark = check.ok() ? "@|green ✓|@" : "@|red ✗|@";
            out.println(ansi.string(mark + " @|bold " + String.format("%-12s", check.name()) + "|@ ")
                    + check.summary());
            check.details().forEach(line -> out.println("    " + line));
            if (!check.ok()) {
                out.println(ansi.string("    @|yellow fix:|@ ") + check.fix());
            }
        }
        long failed = checks.stream().filter(c -> !c.ok()).count();
        out.println(failed == 0 ? "All checks passed." : failed + " of " + checks.size() + " checks failed.");
        return failed == 0 ? 0 : 1;
    }
}
