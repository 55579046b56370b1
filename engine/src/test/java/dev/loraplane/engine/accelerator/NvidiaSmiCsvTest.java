package dev.loraplane.engine.accelerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class NvidiaSmiCsvTest {

    private static final long MIB = 1L << 20;

    @Test
    void readsH100UnderLoadFromA212FieldHeaderWithUnits() {
        GpuReport report = NvidiaSmiCsv.parse(Fixtures.read("nvidia-smi-query-gpu-h100-load-driver590.csv"));

        assertThat(report.driverVersion()).isEqualTo("590.48.01");
        assertThat(report.gpus()).hasSize(1);
        GpuStatus h100 = report.gpus().get(0);
        assertThat(h100.index()).isZero();
        assertThat(h100.product()).isEqualTo("NVIDIA H100 80GB HBM3");
        assertThat(h100.id()).isEqualTo("GPU-00000000-0000-0000-0000-000000000000");
        assertThat(h100.memoryTotalBytes()).isEqualTo(81559 * MIB);
        assertThat(h100.memoryUsedBytes()).isEqualTo(19818 * MIB);
        assertThat(h100.utilization()).isEqualTo(1.0);
        assertThat(h100.powerWatts()).isEqualTo(631.95);
        assertThat(h100.temperatureCelsius()).isEqualTo(59.0);
    }

    @Test
    void migModeUtilizationIsNullWhileMemoryPowerAndTemperatureRemain() {
        String csv = Fixtures.read("nvidia-smi-query-gpu-h100-mig-na-driver590.csv");

        GpuStatus h100 = NvidiaSmiCsv.parse(csv).gpus().get(0);

        assertThat(h100.utilization()).isNull();
        assertThat(h100.memoryTotalBytes()).isEqualTo(81559 * MIB);
        assertThat(h100.memoryUsedBytes()).isEqualTo(11125 * MIB);
        assertThat(h100.powerWatts()).isEqualTo(433.78);
        assertThat(h100.temperatureCelsius()).isEqualTo(53.0);
    }

    @Test
    void readsEveryRowOfTheLoopingFormAndLeavesUnqueriedFieldsNull() {
        String csv = Fixtures.read("nvidia-smi-query-gpu-header-units-rtx4090-loop.csv");

        List<GpuStatus> rows = NvidiaSmiCsv.parse(csv).gpus();

        assertThat(rows).hasSize(12).allSatisfy(row -> {
            assertThat(row.product()).isEqualTo("NVIDIA GeForce RTX 4090");
            assertThat(row.memoryTotalBytes()).isNull();
            assertThat(row.temperatureCelsius()).isNull();
        });
        assertThat(rows.get(0).utilization()).isEqualTo(0.01);
        assertThat(rows.get(0).memoryUsedBytes()).isEqualTo(1129 * MIB);
        assertThat(rows.get(0).powerWatts()).isEqualTo(33.09);
        assertThat(rows.get(8).utilization()).isEqualTo(0.98);
        assertThat(rows.get(8).powerWatts()).isEqualTo(309.93);
    }

    @Test
    void readsNoHeaderNoUnitsOutputWithTheFieldsItWasAskedFor() {
        List<String> fields = List.of("timestamp", "index", "name", "utilization.gpu", "memory.total", "memory.used",
                "memory.free", "temperature.gpu");

        String csv = Fixtures.read("nvidia-smi-query-gpu-noheader-nounits-rtxa5000.csv");

        List<GpuStatus> rows = NvidiaSmiCsv.parse(csv, fields).gpus();

        assertThat(rows).hasSize(10).allSatisfy(row -> {
            assertThat(row.index()).isZero();
            assertThat(row.product()).isEqualTo("NVIDIA RTX A5000");
            assertThat(row.memoryTotalBytes()).isEqualTo(24564 * MIB);
            assertThat(row.powerWatts()).isNull();
        });
        assertThat(rows.get(0).utilization()).isEqualTo(0.10);
        assertThat(rows.get(0).memoryUsedBytes()).isEqualTo(11325 * MIB);
        assertThat(rows.get(0).temperatureCelsius()).isEqualTo(72.0);
        assertThat(rows.get(9).memoryUsedBytes()).isEqualTo(13002 * MIB);
    }

    @Test
    void aRowThatDoesNotMatchTheHeaderIsReportedWithBothCounts() {
        String header = Fixtures.read("nvidia-smi-query-gpu-h100-load-driver590.csv").lines().findFirst().orElseThrow();
        String row =
                Fixtures.read("nvidia-smi-query-gpu-noheader-nounits-rtxa5000.csv").lines().findFirst().orElseThrow();

        assertThatThrownBy(() -> NvidiaSmiCsv.parse(header + "\n" + row))
                .isInstanceOf(ToolOutputException.class)
                .hasMessageContaining("row 1 has 8 cells where there are 212 fields");
    }

    @Test
    void theQueryAsksForTheHeaderAndEveryFieldTheParserReads() {
        assertThat(NvidiaSmiCsv.command()).containsExactly("nvidia-smi",
                "--query-gpu=index,uuid,name,memory.total,memory.used,utilization.gpu,power.draw,temperature.gpu,"
                        + "driver_version",
                "--format=csv");
    }
}
