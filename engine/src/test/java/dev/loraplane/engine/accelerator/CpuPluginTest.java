package dev.loraplane.engine.accelerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The cpu plugin on the machine running the tests: no recordings, the real /proc and sysfs. */
class CpuPluginTest {

    private final CpuPlugin plugin = new CpuPlugin();

    @Test
    void theHostCpuIsAlwaysPresentAsDeviceZeroWithTheHostsMemory() throws IOException {
        Detection detection = plugin.detect();

        assertThat(detection.present()).isTrue();
        assertThat(detection.devices()).hasSize(1);
        AcceleratorDevice cpu = detection.devices().get(0);
        assertThat(cpu.vendor()).isEqualTo("cpu");
        assertThat(cpu.index()).isZero();
        assertThat(cpu.product()).isNotBlank();
        assertThat(cpu.memoryTotalBytes()).isBetween(256L << 20, 64L << 40);
        if (HostPlatform.current().linux()) {
            ProcFs.MemInfo meminfo = ProcFs.MemInfo.parse(Files.readString(Path.of("/proc/meminfo")));
            assertThat(cpu.memoryTotalBytes()).isEqualTo(meminfo.totalBytes());
            String model = ProcFs.modelName(Files.readString(Path.of("/proc/cpuinfo")));
            if (!model.isEmpty()) {
                assertThat(cpu.product()).isEqualTo(model);
            }
        }
    }

    @Test
    void samplesGiveAUtilizationFractionAndMemoryWithinTheTotal() {
        for (int i = 0; i < 3; i++) {
            DeviceTelemetry t = plugin.sample().get(0);

            assertThat(t.vendor()).isEqualTo("cpu");
            assertThat(t.product()).isEqualTo(plugin.detect().devices().get(0).product());
            assertThat(t.memoryTotalBytes()).isEqualTo(plugin.detect().devices().get(0).memoryTotalBytes());
            assertThat(t.memoryUsedBytes()).isBetween(0L, t.memoryTotalBytes());
            if (HostPlatform.current().linux()) {
                assertThat(t.utilization()).as("sample %d", i).isNotNull().isBetween(0.0, 1.0);
            }
            if (t.powerWatts() != null) {
                assertThat(t.powerWatts()).isBetween(0.0, 5000.0);
            }
            if (t.temperatureCelsius() != null) {
                assertThat(t.temperatureCelsius()).isBetween(-40.0, 150.0);
            }
        }
    }

    @Test
    void cpuTicksAdvanceBetweenReadingsOfProcStat() throws IOException, InterruptedException {
        if (!HostPlatform.current().linux()) {
            System.err.println("SKIPPED: /proc/stat reading needs Linux; this is " + HostPlatform.current().osName());
            return;
        }
        ProcFs.CpuTimes before = ProcFs.CpuTimes.parse(Files.readString(Path.of("/proc/stat")));
        Thread.sleep(50);
        ProcFs.CpuTimes after = ProcFs.CpuTimes.parse(Files.readString(Path.of("/proc/stat")));

        assertThat(after.total()).isGreaterThanOrEqualTo(before.total());
        assertThat(before.utilizationSince(before)).as("no tick passed").isNull();
        assertThat(before.busy()).isBetween(0L, before.total());
    }

    @Test
    void runsOnTheDjlCpuDeviceAndNeedsNoKubernetesResource() {
        assertThat(plugin.djlDevice(0)).isEqualTo(Device.cpu());
        assertThatThrownBy(() -> plugin.djlDevice(1)).hasMessageContaining("the host CPU is device 0");
        assertThat(plugin.scheduling().resourceName()).isEmpty();
        assertThat(plugin.scheduling().tolerations()).isEmpty();
        assertThat(plugin.scheduling().defaultImage()).isEqualTo("ghcr.io/loraplane/loraplane:latest");
    }
}
