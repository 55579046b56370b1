package dev.loraplane.engine.accelerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.util.List;
import org.junit.jupiter.api.Test;

class NvidiaPluginTest {

    @Test
    void withoutNvidiaSmiTheGpuIsAbsentAndSaysWhy() {
        NvidiaPlugin plugin = new NvidiaPlugin(new RecordedTools());

        Detection detection = plugin.detect();

        assertThat(detection.present()).isFalse();
        assertThat(detection.devices()).isEmpty();
        assertThat(detection.detail()).isEqualTo("nvidia-smi not found on PATH");
        assertThat(plugin.sample()).isEmpty();
    }

    @Test
    void aDriverThatDoesNotAnswerIsAbsentWithNvidiaSmisMessage() {
        String failure = "nvidia-smi exited with status 9: NVIDIA-SMI has failed because it couldn't communicate"
                + " with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.";
        RecordedTools tools = new RecordedTools().fails("nvidia-smi", failure);

        Detection detection = new NvidiaPlugin(tools).detect();

        assertThat(detection.present()).isFalse();
        assertThat(detection.detail()).isEqualTo(failure);
        assertThat(tools.callsTo("nvidia-smi")).as("no XML retry for a driver failure").isEqualTo(1);
    }

    @Test
    void detectsAndSamplesAnH100FromItsCsvHeader() {
        RecordedTools tools = new RecordedTools()
                .prints("nvidia-smi --query-gpu", Fixtures.read("nvidia-smi-query-gpu-h100-load-driver590.csv"));
        NvidiaPlugin plugin = new NvidiaPlugin(tools);

        Detection detection = plugin.detect();
        List<DeviceTelemetry> telemetry = plugin.sample();

        assertThat(detection.present()).isTrue();
        assertThat(detection.detail()).isEqualTo("1 GPU from nvidia-smi, driver 590.48.01");
        assertThat(detection.devices()).containsExactly(new AcceleratorDevice("nvidia", 0, "NVIDIA H100 80GB HBM3",
                81559L << 20, "GPU-00000000-0000-0000-0000-000000000000"));
        assertThat(telemetry).containsExactly(new DeviceTelemetry("nvidia", 0, "NVIDIA H100 80GB HBM3", 1.0,
                19818L << 20, 81559L << 20, 631.95, 59.0));
    }

    @Test
    void aDriverThatRejectsAFieldIsAskedForXmlInstead() {
        RecordedTools tools = new RecordedTools()
                .fails("nvidia-smi --query-gpu",
                        "nvidia-smi exited with status 2: Field \"power.draw\" is not a valid field to query.")
                .prints("nvidia-smi -q -x", Fixtures.read("nvidia-smi-q-x-2x-rtx2070-driver590.xml"));

        Detection detection = new NvidiaPlugin(tools).detect();

        assertThat(detection.detail()).isEqualTo("2 GPUs from nvidia-smi, driver 590.44.01");
        assertThat(detection.devices()).extracting(AcceleratorDevice::product)
                .containsExactly("NVIDIA GeForce RTX 2070", "NVIDIA GeForce RTX 2070");
    }

    @Test
    void unreadableOutputIsAbsentNotAnException() {
        RecordedTools tools = new RecordedTools()
                .prints("nvidia-smi --query-gpu", Fixtures.read("nvidia-smi-q-x-rtx3080-driver595.xml"));

        Detection detection = new NvidiaPlugin(tools).detect();

        assertThat(detection.present()).isFalse();
        assertThat(detection.detail())
                .isEqualTo("nvidia-smi CSV header \"<?xml version=\"1.0\" ?>\" is not a list of query fields"
                        + " such as \"memory.used [MiB]\"");
    }

    @Test
    void mapsToCudaDevicesAndTheNvidiaDevicePluginResource() {
        NvidiaPlugin plugin = new NvidiaPlugin(new RecordedTools());

        assertThat(plugin.djlDevice(1)).isEqualTo(Device.gpu(1));
        assertThatThrownBy(() -> plugin.djlDevice(-1)).isInstanceOf(IllegalArgumentException.class);
        KubernetesScheduling scheduling = plugin.scheduling();
        assertThat(scheduling.resourceName()).isEqualTo("nvidia.com/gpu");
        assertThat(scheduling.productLabel()).isEqualTo("nvidia.com/gpu.product");
        assertThat(scheduling.tolerations())
                .containsExactly(new KubernetesScheduling.Toleration("nvidia.com/gpu", "Exists", "", "NoSchedule"));
        assertThat(scheduling.defaultImage()).isEqualTo(ContainerImages.CUDA);
    }
}
