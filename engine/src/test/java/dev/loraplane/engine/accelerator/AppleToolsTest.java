package dev.loraplane.engine.accelerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The parsers of the three macOS tools, on outputs recorded on an M4 Pro, an M4 MacBook Pro and an M1. */
class AppleToolsTest {

    @Test
    void systemProfilerNamesTheM4ProAndItsSixteenCores() {
        List<SystemProfilerDisplays.Gpu> gpus =
                SystemProfilerDisplays.parse(Fixtures.read("system_profiler-SPDisplaysDataType-text-m4pro.txt"));

        assertThat(gpus).containsExactly(new SystemProfilerDisplays.Gpu("Apple M4 Pro", 16, "Apple (0x106b)"));
        assertThat(gpus.get(0).apple()).isTrue();
    }

    @Test
    void ioregPerformanceStatisticsGiveUtilizationAndUnifiedMemoryInUse() {
        List<IoregAccelerators.Accelerator> found =
                IoregAccelerators.parse(Fixtures.read("ioreg-ioaccelerator-m4pro.txt"));

        assertThat(found).hasSize(1);
        IoregAccelerators.Accelerator gpu = found.get(0);
        assertThat(gpu.model()).isEqualTo("Apple M4 Pro");
        assertThat(gpu.coreCount()).isEqualTo(16);
        assertThat(gpu.utilization()).as("Device Utilization % = 100").isEqualTo(1.0);
        assertThat(gpu.inUseSystemMemory()).isEqualTo(10_977_263_616L);
        assertThat(gpu.allocSystemMemory()).isEqualTo(66_160_230_400L);
        assertThat(gpu.statistics())
                .containsEntry("Renderer Utilization %", 7L)
                .containsEntry("Tiler Utilization %", 6L);
    }

    @Test
    void powermetricsDefaultSamplersGiveGpuAndCpuPowerAndGpuResidency() {
        Powermetrics.Sample sample =
                Powermetrics.parse(Fixtures.read("powermetrics-default-samplers-mac16-6-macos15.5.txt"));

        assertThat(sample.gpuWatts()).isEqualTo(0.028);
        assertThat(sample.cpuWatts()).isEqualTo(0.954);
        assertThat(sample.gpuActiveResidency()).isCloseTo(0.0163, within(1e-12));
    }

    @Test
    void powermetricsCpuPowerSamplerAloneHasPowerButNoGpuResidency() {
        Powermetrics.Sample sample =
                Powermetrics.parse(Fixtures.read("powermetrics-cpu_power-m1-macos12.6-first-sample.txt"));

        assertThat(sample.gpuWatts()).isEqualTo(0.153);
        assertThat(sample.cpuWatts()).isEqualTo(0.947);
        assertThat(sample.gpuActiveResidency()).isNull();
    }
}
