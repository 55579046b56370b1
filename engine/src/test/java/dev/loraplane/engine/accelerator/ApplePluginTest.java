package dev.loraplane.engine.accelerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ApplePluginTest {

    /** This machine, but said to be a Mac on Apple silicon, so the plugin gets past its platform check. */
    private static final HostPlatform MAC = new HostPlatform("Mac OS X", "aarch64",
            HostPlatform.current().logicalCores(), HostPlatform.current().memoryTotalBytes());

    private static RecordedTools m4Pro() {
        return new RecordedTools()
                .prints("system_profiler", Fixtures.read("system_profiler-SPDisplaysDataType-text-m4pro.txt"))
                .prints("ioreg", Fixtures.read("ioreg-ioaccelerator-m4pro.txt"));
    }

    @Test
    void isAbsentOffAppleSilicon() {
        HostPlatform intelMac = new HostPlatform("Mac OS X", "x86_64", 8, MAC.memoryTotalBytes());

        Detection detection = new ApplePlugin(new RecordedTools(), intelMac).detect();

        assertThat(detection.present()).isFalse();
        assertThat(detection.detail())
                .isEqualTo("needs macOS on Apple silicon (aarch64); this host is Mac OS X x86_64");
        assertThat(new ApplePlugin(new RecordedTools(), intelMac).sample()).isEmpty();
    }

    @Test
    void detectsTheM4ProGpuWithTheHostsUnifiedMemory() {
        RecordedTools tools = m4Pro()
                .prints("powermetrics", Fixtures.read("powermetrics-default-samplers-mac16-6-macos15.5.txt"));

        Detection detection = new ApplePlugin(tools, MAC).detect();

        assertThat(detection.present()).isTrue();
        assertThat(detection.devices())
                .containsExactly(new AcceleratorDevice("apple", 0, "Apple M4 Pro", MAC.memoryTotalBytes(), ""));
        assertThat(detection.detail()).isEqualTo("Apple M4 Pro, 16 GPU cores, from system_profiler;"
                + " memory is unified with the CPU; power from powermetrics");
    }

    @Test
    void detectionSaysWhyThereWillBeNoPowerFigures() {
        Detection detection = new ApplePlugin(m4Pro(), MAC).detect();

        assertThat(detection.present()).isTrue();
        assertThat(detection.detail()).endsWith("; no power figures: powermetrics not found on PATH");
    }

    @Test
    void samplesUtilizationAndMemoryFromIoregAndPowerFromPowermetrics() {
        RecordedTools tools = m4Pro()
                .prints("powermetrics", Fixtures.read("powermetrics-default-samplers-mac16-6-macos15.5.txt"));

        List<DeviceTelemetry> telemetry = new ApplePlugin(tools, MAC).sample();

        assertThat(telemetry).containsExactly(new DeviceTelemetry("apple", 0, "Apple M4 Pro", 1.0,
                10_977_263_616L, MAC.memoryTotalBytes(), 0.028, null));
    }

    @Test
    void withoutRootPowermetricsIsAskedOnceAndPowerIsNull() {
        RecordedTools tools = m4Pro().fails("powermetrics",
                "powermetrics exited with status 1: powermetrics must be invoked as the superuser");
        ApplePlugin plugin = new ApplePlugin(tools, MAC);

        DeviceTelemetry first = plugin.sample().get(0);
        DeviceTelemetry second = plugin.sample().get(0);

        assertThat(first.powerWatts()).isNull();
        assertThat(second.utilization()).isEqualTo(1.0);
        assertThat(tools.callsTo("powermetrics")).isEqualTo(1);
    }

    @Test
    void runsOnTheMpsDeviceAndHasNoKubernetesResource() {
        ApplePlugin plugin = new ApplePlugin(new RecordedTools(), MAC);

        assertThat(plugin.djlDevice(0).getDeviceType()).isEqualTo("mps");
        assertThat(plugin.djlDevice(0).getDeviceId()).isZero();
        assertThatThrownBy(() -> plugin.djlDevice(1)).hasMessageContaining("MPS has only device 0");
        assertThat(plugin.scheduling().resourceName()).isEmpty();
        assertThat(plugin.scheduling().tolerations()).isEmpty();
    }
}
