package dev.loraplane.engine.accelerator;

import java.util.List;

/**
 * NVIDIA GPUs, as {@code nvidia-smi} reports them. Each probe asks
 * {@code nvidia-smi --query-gpu=… --format=csv}; a driver too old for one of the fields ("is not a
 * valid field to query") is asked for {@code nvidia-smi -q -x} instead. DJL numbers CUDA devices as
 * nvidia-smi does when {@code CUDA_DEVICE_ORDER=PCI_BUS_ID}; CUDA's own default order puts the
 * fastest GPU first, which differs only on hosts that mix GPU models.
 */
public final class NvidiaPlugin extends GpuToolPlugin {

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
        super(NAME, "nvidia-smi", SCHEDULING);
        this.runner = runner;
    }

    @Override
    Probe probe() {
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
