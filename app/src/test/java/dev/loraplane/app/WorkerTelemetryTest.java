package dev.loraplane.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loraplane.engine.accelerator.DeviceTelemetry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which devices a worker reads, and the telemetry line the control plane parses. */
class WorkerTelemetryTest {

    @Test
    void aWorkerReadsOnlyTheGpusItsExecutorLeftVisible() {
        assertThat(WorkerTelemetry.visible(Map.of("CUDA_VISIBLE_DEVICES", "2, 3"), "nvidia")).containsExactlyInAnyOrder(2, 3);
        assertThat(WorkerTelemetry.visible(Map.of("HIP_VISIBLE_DEVICES", "1"), "amd")).containsExactly(1);
        assertThat(WorkerTelemetry.visible(Map.of("ROCR_VISIBLE_DEVICES", "0"), "amd")).containsExactly(0);
        assertThat(WorkerTelemetry.visible(Map.of("CUDA_VISIBLE_DEVICES", "GPU-5e3c1a0b-77d1"), "nvidia"))
                .as("UUIDs cannot be matched to the tool's indices: all are read").isNull();
        assertThat(WorkerTelemetry.visible(Map.of(), "nvidia")).isNull();
        assertThat(WorkerTelemetry.visible(Map.of("CUDA_VISIBLE_DEVICES", "0"), "cpu")).isNull();
    }

    @Test
    void aReadingTheToolDidNotTakeIsNullInTheLine() {
        ObjectNode line = WorkerTelemetry.line("gpu-node-3", List.of(new DeviceTelemetry("nvidia", 1, "NVIDIA L4", 0.5,
                3L << 30, 24L << 30, null, 61.0)));
        assertThat(line.toString()).isEqualTo("{\"type\":\"telemetry\",\"host\":\"gpu-node-3\",\"devices\":[{\"vendor\":\"nvidia\","
                + "\"index\":1,\"product\":\"NVIDIA L4\",\"utilization\":0.5,\"memory_used_bytes\":3221225472,"
                + "\"memory_total_bytes\":25769803776,\"power_watts\":null,\"temperature_celsius\":61.0}]}");
    }
}
