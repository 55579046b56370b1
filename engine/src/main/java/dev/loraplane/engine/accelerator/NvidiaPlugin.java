package dev.loraplane.engine.accelerator;

import ai.djl.Device;
import java.util.List;

/**
 * NVIDIA GPUs, as {@code nvidia-smi} reports them. Each probe asks
 * {@code nvidia-smi --query-gpu=… --format=csv}; a driver too old for one of the fields ("is not a
 * valid field to query") is asked for {@code nvidia-smi -q -x} instead. DJL numbers CUDA devices as
 * nvidia-smi does when {@code CUDA_DEVICE_ORDER=PCI_BUS_ID}; CUDA's own default order puts the
 * fastest GPU first, which differs only on hosts that mix GPU models.
 */
public final class NvidiaPlugin implements AcceleratorPlugin {

    static final String NAME = "nvidia";

    private static final KubernetesScheduling SCHEDULING = new KubernetesScheduling(
            "nvidia.com/gpu",
            "nvidia.com/gpu.product",
            List.of(new KubernetesScheduling.Toleration("nvidia.com/gpu", "Exists", "", "NoSchedule")),
            ContainerImages.CUDA);

    private final ToolRunner runner;

    /** Probes this host with the real {@code nvidia-smi}. */
    public NvidiaPlugin() {
        this(ToolRunner.system());
    }

    NvidiaPlugin(ToolRunner runner) {
        this.runner = runner;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Detection detect() {
        Probe probe = probe();
        if (probe.report() == null) {
            return Detection.absent(NAME, probe.failure());
        }
        if (probe.report().gpus().isEmpty()) {
            return Detection.absent(NAME, "nvidia-smi reports no GPU");
        }
        return Detection.present(NAME, probe.report().gpus().stream().map(g -> g.device(NAME)).toList(),
                probe.report().describe());
    }

    @Override
    public List<DeviceTelemetry> sample() {
        Probe probe = probe();
        return probe.report() == null ? List.of() : probe.report().gpus().stream().map(g -> g.telemetry(NAME)).toList();
    }

    @Override
    public Device djlDevice(int index) {
        if (index < 0) {
            throw new IllegalArgumentException(
                    "nvidia device index " + index + " is negative; nvidia-smi numbers GPUs from 0");
        }
        return Device.gpu(index);
    }

    @Override
    public KubernetesScheduling scheduling() {
        return SCHEDULING;
    }

    private Probe probe() {
        ToolOutput csv = runner.run(NvidiaSmiCsv.command());
        if (csv.ok()) {
            return Probe.parse(() -> NvidiaSmiCsv.parse(csv.stdout()));
        }
        if (!csv.failure().contains("is not a valid field to query")) {
            return Probe.failed(csv.failure());
        }
        ToolOutput xml = runner.run(NvidiaSmiXml.command());
        return xml.ok() ? Probe.parse(() -> NvidiaSmiXml.parse(xml.stdout())) : Probe.failed(xml.failure());
    }
}
