package dev.loraplane.engine.accelerator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The four plugins as the application finds them, probing this machine for real. */
class AcceleratorsTest {

    @Test
    void serviceLoaderFindsAllFourPlugins() {
        assertThat(Accelerators.plugins()).extracting(AcceleratorPlugin::name)
                .containsExactlyInAnyOrder("cpu", "nvidia", "amd", "apple");
        assertThat(Accelerators.plugin("nvidia")).containsInstanceOf(NvidiaPlugin.class);
        assertThat(Accelerators.plugin("tpu")).isEmpty();
    }

    @Test
    void everyPluginProbesThisHostWithoutThrowingAndSaysWhatItFound() {
        for (AcceleratorPlugin plugin : Accelerators.plugins()) {
            Detection detection = plugin.detect();

            assertThat(detection.plugin()).isEqualTo(plugin.name());
            assertThat(detection.detail()).as(plugin.name()).isNotBlank();
            assertThat(detection.present()).isEqualTo(!detection.devices().isEmpty());
            System.err.println("accelerator " + plugin.name() + ": " + (detection.present() ? "present" : "absent")
                    + " (" + detection.detail() + ") " + detection.devices());
        }
        assertThat(Accelerators.plugin("cpu").orElseThrow().detect().present()).isTrue();
    }

    @Test
    void everyTelemetryReadingHasAUtilizationFraction() {
        for (AcceleratorPlugin plugin : Accelerators.plugins()) {
            for (DeviceTelemetry t : plugin.sample()) {
                assertThat(t.vendor()).isEqualTo(plugin.name());
                if (t.utilization() != null) {
                    assertThat(t.utilization()).as(plugin.name() + " #" + t.index()).isBetween(0.0, 1.0);
                }
            }
        }
    }
}
