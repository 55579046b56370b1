package dev.loraplane.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MainTest {

    private final Cli cli = new Cli();
    private final StringWriter out = cli.out;
    private final StringWriter err = cli.err;

    private int run(String... args) {
        return cli.run(args);
    }

    @Test
    void helpListsEverySubcommand() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("Usage: loraplane", "version", "doctor", "help");
    }

    @ParameterizedTest
    @ValueSource(strings = {"version", "doctor", "up", "files", "files upload", "files list", "jobs", "jobs create", "jobs list", "jobs get", "jobs cancel", "jobs follow",
        "model", "model info", "model init", "model generate", "model merge", "train", "worker", "agent", "serve",
        "bench", "bench forward", "bench train", "bench api", "bench serve"})
    void everySubcommandHasHelp(String command) {
        String[] args = (command + " --help").split(" ");
        assertThat(run(args)).isZero();
        assertThat(out.toString()).contains("Usage: loraplane " + command);
    }

    @Test
    void versionNamesTheBuildAndTheBundledLibtorch() {
        assertThat(run("version")).isZero();
        assertThat(out.toString())
                .containsPattern("loraplane \\d+\\.\\d+\\.\\d+")
                .doesNotContain("${project.version}")
                .contains("Java " + Runtime.version().feature(), "libtorch 2.7.1 (cpu", "DJL 0.36.0");
    }

    @Test
    void unknownSubcommandIsAnErrorThatSaysSo() {
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err.toString()).contains("Unmatched argument at index 0: 'frobnicate'");
    }
}
