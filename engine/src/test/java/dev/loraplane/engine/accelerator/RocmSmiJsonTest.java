package dev.loraplane.engine.accelerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RocmSmiJsonTest {

    @Test
    void readsFourMi100sWithTheirSeriesUniqueIdsAndEdgeTemperatures() {
        GpuReport report = RocmSmiJson.parse(Fixtures.read("rocm-smi-json-mi100x4-rocm602.json"));

        assertThat(report.driverVersion()).isEqualTo("6.3.6");
        List<GpuStatus> gpus = report.gpus();
        assertThat(gpus).extracting(GpuStatus::index).containsExactly(0, 1, 2, 3);
        assertThat(gpus).allSatisfy(gpu -> {
            assertThat(gpu.product()).as("\"Card series\", lower-case s in ROCm 6.0")
                    .isEqualTo("Arcturus GL-XL [Instinct MI100]");
            assertThat(gpu.memoryTotalBytes()).isEqualTo(34_342_961_152L);
            assertThat(gpu.memoryUsedBytes()).isEqualTo(6_750_208L);
            assertThat(gpu.utilization()).isEqualTo(0.0);
        });
        assertThat(gpus).extracting(GpuStatus::id)
                .containsExactly("0x79ccd55167a2124a", "0x4edfb117a17a07d", "0xd4a9ec48d03d261d", "0x1b9dd972253c3736");
        assertThat(gpus).extracting(GpuStatus::powerWatts).containsExactly(36.0, 44.0, 43.0, 39.0);
        assertThat(gpus).extracting(GpuStatus::temperatureCelsius).containsExactly(53.0, 55.0, 54.0, 51.0);
    }

    @Test
    void readsRx6700XtAfterTheLeadingBlankLineWithNoIdWhereEveryIdIsNa() {
        GpuReport report = RocmSmiJson.parse(Fixtures.read("rocm-smi-json-rx6700xt-rocm612.json"));

        assertThat(report.describe()).isEqualTo("1 GPU from rocm-smi, driver 6.3.6");
        GpuStatus gpu = report.gpus().get(0);
        assertThat(gpu.product()).isEqualTo("Navi 22 [Radeon RX 6700/6700 XT / 6800M]");
        assertThat(gpu.id()).as("Unique ID and Serial Number are N/A").isEmpty();
        assertThat(gpu.memoryTotalBytes()).isEqualTo(12_868_124_672L);
        assertThat(gpu.memoryUsedBytes()).isEqualTo(1_572_745_216L);
        assertThat(gpu.utilization()).isEqualTo(0.0);
        assertThat(gpu.powerWatts()).isEqualTo(6.0);
        assertThat(gpu.temperatureCelsius()).isEqualTo(45.0);
    }

    @Test
    void mi250FromRocmSmiAllHasNoVramFiguresSoTheyAreNull() {
        GpuReport report = RocmSmiJson.parse(Fixtures.read("rocm-smi-a-json-mi250-rocm6-oneline.json"));

        assertThat(report.driverVersion()).isEqualTo("6.2.4");
        GpuStatus gpu = report.gpus().get(0);
        assertThat(gpu.product()).isEqualTo("AMD INSTINCT MI250 (MCM) OAM AC MBA");
        assertThat(gpu.id()).isEqualTo("0x1f9de0957d137942");
        assertThat(gpu.memoryTotalBytes()).isNull();
        assertThat(gpu.memoryUsedBytes()).isNull();
        assertThat(gpu.powerWatts()).isEqualTo(91.0);
        assertThat(gpu.temperatureCelsius()).isEqualTo(43.0);
        assertThat(gpu.device("amd").memoryTotalBytes()).as("unknown total, documented as 0").isZero();
        assertThat(gpu.telemetry("amd").memoryTotalBytes()).isNull();
    }

    @Test
    void outputWithoutJsonIsReportedWithItsStart() {
        String notJson = Fixtures.read("system_profiler-SPDisplaysDataType-text-m4pro.txt");

        assertThatThrownBy(() -> RocmSmiJson.parse(notJson))
                .isInstanceOf(ToolOutputException.class)
                .hasMessageStartingWith("rocm-smi printed no JSON object or array: \"Graphics/Displays: Apple M4 Pro:");
    }
}
