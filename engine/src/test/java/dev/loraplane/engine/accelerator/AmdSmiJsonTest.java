package dev.loraplane.engine.accelerator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AmdSmiJsonTest {

    private static final long MIB = 1L << 20;

    @Test
    void readsTheListFormatWithValueUnitObjectsAndMbAsMebibytes() {
        String metric = Fixtures.read("amd-smi-metric-json-radeon-46gb-list-format.json");

        GpuReport report = AmdSmiJson.parseMetric(metric, Map.of());

        assertThat(report.tool()).isEqualTo("amd-smi");
        assertThat(report.gpus()).hasSize(1);
        GpuStatus gpu = report.gpus().get(0);
        assertThat(gpu.index()).isZero();
        assertThat(gpu.product()).as("metric names no product").isEmpty();
        assertThat(gpu.memoryTotalBytes()).isEqualTo(46064 * MIB);
        assertThat(gpu.memoryUsedBytes()).isEqualTo(1758 * MIB);
        assertThat(gpu.utilization()).isEqualTo(0.0);
        assertThat(gpu.powerWatts()).isEqualTo(34.0);
        assertThat(gpu.temperatureCelsius()).as("edge").isEqualTo(43.0);
    }

    @Test
    void readsTheSameGpusWhenNewerReleasesWrapThemInGpuData() {
        String list = Fixtures.read("amd-smi-metric-json-radeon-46gb-list-format.json");

        GpuReport wrapped = AmdSmiJson.parseMetric("{\"gpu_data\": " + list + "}", Map.of());

        assertThat(wrapped).isEqualTo(AmdSmiJson.parseMetric(list, Map.of()));
    }
}
