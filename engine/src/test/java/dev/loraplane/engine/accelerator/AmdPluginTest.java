package dev.loraplane.engine.accelerator;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import java.util.List;
import org.junit.jupiter.api.Test;

class AmdPluginTest {

    @Test
    void withNeitherToolTheGpuIsAbsentAndNamesBoth() {
        Detection detection = new AmdPlugin(new RecordedTools()).detect();

        assertThat(detection.present()).isFalse();
        assertThat(detection.detail()).isEqualTo("rocm-smi not found on PATH; amd-smi not found on PATH");
    }

    @Test
    void detectsFourMi100sThroughRocmSmi() {
        RecordedTools tools =
                new RecordedTools().prints("rocm-smi", Fixtures.read("rocm-smi-json-mi100x4-rocm602.json"));
        AmdPlugin plugin = new AmdPlugin(tools);

        Detection detection = plugin.detect();
        List<DeviceTelemetry> telemetry = plugin.sample();

        assertThat(detection.detail()).isEqualTo("4 GPUs from rocm-smi, driver 6.3.6");
        assertThat(detection.devices()).extracting(AcceleratorDevice::memoryTotalBytes).containsOnly(34_342_961_152L);
        assertThat(telemetry).hasSize(4).allSatisfy(t -> {
            assertThat(t.vendor()).isEqualTo("amd");
            assertThat(t.utilization()).isBetween(0.0, 1.0);
        });
        assertThat(tools.callsTo("amd-smi")).isZero();
    }

    @Test
    void fallsBackToAmdSmiMetricsWhenRocmSmiIsMissing() {
        RecordedTools tools = new RecordedTools()
                .prints("amd-smi metric", Fixtures.read("amd-smi-metric-json-radeon-46gb-list-format.json"));

        Detection detection = new AmdPlugin(tools).detect();

        assertThat(detection.present()).isTrue();
        assertThat(detection.detail()).isEqualTo("1 GPU from amd-smi");
        assertThat(detection.devices()).containsExactly(new AcceleratorDevice("amd", 0, "", 46064L << 20, ""));
    }

    @Test
    void mapsToTheGpuDeviceTypeThatRocmPyTorchUsesAndTheAmdDevicePluginResource() {
        AmdPlugin plugin = new AmdPlugin(new RecordedTools());

        assertThat(plugin.djlDevice(2)).isEqualTo(Device.gpu(2));
        assertThat(plugin.scheduling().resourceName()).isEqualTo("amd.com/gpu");
        assertThat(plugin.scheduling().productLabel()).isEqualTo("amd.com/gpu.product-name");
        assertThat(plugin.scheduling().tolerations())
                .containsExactly(new KubernetesScheduling.Toleration("amd.com/gpu", "Exists", "", "NoSchedule"));
        assertThat(plugin.scheduling().defaultImage()).isEqualTo(ContainerImages.ROCM);
    }
}
