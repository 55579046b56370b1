package dev.loraplane.engine.accelerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class NvidiaSmiXmlTest {

    private static final long MIB = 1L << 20;

    @Test
    void readsRtx3080WithoutFetchingItsDtd() {
        GpuReport report = NvidiaSmiXml.parse(Fixtures.read("nvidia-smi-q-x-rtx3080-driver595.xml"));

        assertThat(report.driverVersion()).isEqualTo("595.58.03");
        assertThat(report.gpus()).hasSize(1);
        GpuStatus gpu = report.gpus().get(0);
        assertThat(gpu.product()).isEqualTo("NVIDIA GeForce RTX 3080");
        assertThat(gpu.id()).isEqualTo("GPU-19d6d965-2acc-f646-00f8-4c76979aabb4");
        assertThat(gpu.memoryTotalBytes()).isEqualTo(10240 * MIB);
        assertThat(gpu.memoryUsedBytes()).isEqualTo(9184 * MIB);
        assertThat(gpu.utilization()).isEqualTo(0.65);
        assertThat(gpu.powerWatts()).as("v13 average_power_draw").isEqualTo(139.62);
        assertThat(gpu.temperatureCelsius()).isEqualTo(27.0);
    }

    @Test
    void a100InMigModeReportsTheWholeGpuNotItsMigSlices() {
        GpuReport report = NvidiaSmiXml.parse(Fixtures.read("nvidia-smi-q-x-a100-sxm4-driver535.xml"));

        assertThat(report.driverVersion()).isEqualTo("535.54.03");
        assertThat(report.gpus()).as("attached_gpus says 4, the file holds one <gpu>").hasSize(1);
        GpuStatus a100 = report.gpus().get(0);
        assertThat(a100.product()).isEqualTo("NVIDIA A100-SXM4-80GB");
        assertThat(a100.id()).isEqualTo("GPU-513536b6-7d19-9063-b049-1e69664bb298");
        assertThat(a100.memoryTotalBytes()).as("not a MIG slice's 19968 MiB").isEqualTo(81920 * MIB);
        assertThat(a100.memoryUsedBytes()).isEqualTo(50 * MIB);
        assertThat(a100.utilization()).as("N/A in MIG mode").isNull();
        assertThat(a100.powerWatts()).as("v12 power_draw").isEqualTo(67.03);
        assertThat(a100.temperatureCelsius()).isEqualTo(27.0);
    }

    @Test
    void readsBothGpusOfADualRtx2070InOrder() {
        GpuReport report = NvidiaSmiXml.parse(Fixtures.read("nvidia-smi-q-x-2x-rtx2070-driver590.xml"));

        assertThat(report.driverVersion()).isEqualTo("590.44.01");
        List<GpuStatus> gpus = report.gpus();
        assertThat(gpus).extracting(GpuStatus::index).containsExactly(0, 1);
        assertThat(gpus).extracting(GpuStatus::id)
                .containsExactly("GPU-12345678-aaaa-bbbb-cccc-0123456789ab",
                        "GPU-12345678-aaaa-bbbb-cccc-0123456789cd");
        assertThat(gpus).allSatisfy(gpu -> {
            assertThat(gpu.product()).isEqualTo("NVIDIA GeForce RTX 2070");
            assertThat(gpu.memoryTotalBytes()).isEqualTo(8192 * MIB);
            assertThat(gpu.memoryUsedBytes()).isEqualTo(1 * MIB);
            assertThat(gpu.utilization()).isEqualTo(0.0);
        });
        assertThat(gpus).extracting(GpuStatus::powerWatts).as("average N/A, instant read").containsExactly(9.23, 11.82);
        assertThat(gpus).extracting(GpuStatus::temperatureCelsius).containsExactly(14.0, 13.0);
    }

    @Test
    void truncatedXmlIsAnUnreadableOutputNotACrash() {
        String xml = Fixtures.read("nvidia-smi-q-x-rtx3080-driver595.xml");

        assertThatThrownBy(() -> NvidiaSmiXml.parse(xml.substring(0, xml.length() / 2)))
                .isInstanceOf(ToolOutputException.class)
                .hasMessageStartingWith("nvidia-smi printed XML that does not parse");
    }
}
