package dev.loraplane.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.engine.accelerator.Accelerators;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DoctorTest {

    @TempDir
    Path tmp;

    private Doctor doctor(Path home) {
        return new Doctor(Home.of(home), Accelerators::plugins);
    }

    @Test
    void javaOfThisBuildPasses() {
        Check java = doctor(tmp).java();
        assertThat(java.ok()).isTrue();
        assertThat(java.summary()).startsWith("Java " + Runtime.version());
    }

    @Test
    void pytorchLoadsOfflineFromTheBundledLibrary() {
        Check pytorch = doctor(tmp).pytorch();
        assertThat(pytorch.ok()).as(pytorch.summary()).isTrue();
        assertThat(pytorch.summary()).startsWith("PyTorch 2.7.1 on DJL 0.36.0 (cpu)");
        assertThat(pytorch.details()).anyMatch(d -> d.contains("bundled pytorch-native-cpu") && d.contains("offline"));
    }

    @Test
    void dataInAFreshHomeWillBeCreated() {
        Check data = doctor(tmp.resolve("new-home")).data();
        assertThat(data.ok()).isTrue();
        assertThat(data.summary()).contains("new-home", "will be created", "free");
        assertThat(data.details()).anyMatch(d -> d.startsWith("database") && d.contains("new-home/db"));
    }

    @Test
    void dataInAnUnwritableHomeFailsWithAFix() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "not a directory");
        Check data = doctor(file.resolve("home")).data();
        assertThat(data.ok()).isFalse();
        assertThat(data.fix()).contains("LORAPLANE_HOME");
    }

    @Test
    void theCpuIsFoundThroughTheInstalledPlugins() {
        Check check = doctor(tmp).accelerators();
        assertThat(check.ok()).as(check.summary()).isTrue();
        assertThat(check.summary()).contains("cpu, nvidia, amd, apple").contains("devices present: cpu");
        assertThat(check.details()).anyMatch(d -> d.startsWith("nvidia") && (d.contains("absent") || d.contains("device")));
    }

    @Test
    void noPluginsIsAFailure() {
        Check check = new Doctor(Home.of(tmp), List::of).accelerators();
        assertThat(check.ok()).isFalse();
        assertThat(check.fix()).contains("META-INF/services");
    }

    @Test
    void homeComesFromTheEnvironmentOrDefaultsUnderTheUsersHome() {
        assertThat(Home.fromEnvironment(Map.of(Home.ENV, tmp.toString())).root()).isEqualTo(tmp);
        assertThat(Home.fromEnvironment(Map.of()).root())
                .isEqualTo(Path.of(System.getProperty("user.home"), ".loraplane").toAbsolutePath());
    }
}
