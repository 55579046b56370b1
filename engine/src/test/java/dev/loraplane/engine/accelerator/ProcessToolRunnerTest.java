package dev.loraplane.engine.accelerator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The real process runner, with programs every Unix has (sh, sleep). */
class ProcessToolRunnerTest {

    private final ProcessToolRunner runner = new ProcessToolRunner(Duration.ofMillis(500));

    @Test
    void aMissingToolIsNotFoundOnPathWithoutAnException() {
        ToolOutput output = runner.run(List.of("loraplane-no-such-tool", "--json"));

        assertThat(output.ok()).isFalse();
        assertThat(output.failure()).isEqualTo("loraplane-no-such-tool not found on PATH");
    }

    @Test
    void returnsWhatTheToolPrinted() {
        assumeShell();
        ToolOutput output = runner.run(List.of("sh", "-c", "printf 'card0\\n'"));

        assertThat(output.ok()).isTrue();
        assertThat(output.stdout()).isEqualTo("card0\n");
    }

    @Test
    void aFailingToolGivesItsExitStatusAndFirstErrorLine() {
        assumeShell();
        ToolOutput output =
                runner.run(List.of("sh", "-c", "echo; echo 'driver not loaded' >&2; echo more >&2; exit 3"));

        assertThat(output.failure()).isEqualTo("sh exited with status 3: driver not loaded");
    }

    @Test
    void aHangingToolIsStoppedAtTheTimeout() {
        assumeShell();
        long start = System.nanoTime();

        ToolOutput output = runner.run(List.of("sh", "-c", "sleep 30"));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(output.failure()).isEqualTo("sh gave no answer within 0.5 s and was stopped");
    }

    private static void assumeShell() {
        boolean shell = ProcessToolRunner.locate("sh").isPresent();
        if (!shell) {
            System.err.println("SKIPPED: no sh on PATH to run test tools with");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(shell, "no sh on PATH");
    }
}
