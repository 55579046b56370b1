package dev.loraplane.engine.accelerator;

import java.util.List;
import java.util.Map;

/**
 * AMD GPUs, as {@code rocm-smi} reports them, or {@code amd-smi} where rocm-smi is not installed
 * (ROCm 7 moves to amd-smi). ROCm builds of PyTorch drive AMD GPUs through the CUDA device type, so
 * the DJL device is {@code gpu(n)}; HIP numbers GPUs as rocm-smi does unless
 * {@code HIP_VISIBLE_DEVICES} or {@code ROCR_VISIBLE_DEVICES} hides some.
 */
public final class AmdPlugin extends GpuToolPlugin {

    static final String NAME = "amd";

    private static final KubernetesScheduling SCHEDULING = new KubernetesScheduling(
            "amd.com/gpu",
            "amd.com/gpu.product-name",
            List.of(new KubernetesScheduling.Toleration("amd.com/gpu", "Exists", "", "NoSchedule")),
            ContainerImages.ROCM);

    private final ToolRunner runner;

    /** amd-smi's product names and serials, read once: they do not change while the host runs. */
    private volatile Map<Integer, AmdSmiJson.Asic> asics;

    /** Probes this host with the real {@code rocm-smi} or {@code amd-smi}. */
    public AmdPlugin() {
        this(ToolRunner.system());
    }

    AmdPlugin(ToolRunner runner) {
        super(NAME, "rocm-smi", SCHEDULING);
        this.runner = runner;
    }

    @Override
    Probe probe() {
        ToolOutput rocmSmi = runner.run(RocmSmiJson.command());
        if (rocmSmi.ok()) {
            return Probe.parse(() -> RocmSmiJson.parse(rocmSmi.stdout()));
        }
        ToolOutput metric = runner.run(AmdSmiJson.metricCommand());
        if (!metric.ok()) {
            return Probe.failed(rocmSmi.failure() + "; " + metric.failure());
        }
        Map<Integer, AmdSmiJson.Asic> names = asics();
        return Probe.parse(() -> AmdSmiJson.parseMetric(metric.stdout(), names));
    }

    /** Product names from {@code amd-smi static}; none when it fails, so that metrics still come through. */
    private Map<Integer, AmdSmiJson.Asic> asics() {
        Map<Integer, AmdSmiJson.Asic> known = asics;
        if (known != null) {
            return known;
        }
        ToolOutput output = runner.run(AmdSmiJson.staticCommand());
        if (!output.ok()) {
            return Map.of();
        }
        try {
            known = Map.copyOf(AmdSmiJson.parseStatic(output.stdout()));
        } catch (ToolOutputException e) {
            return Map.of();
        }
        asics = known;
        return known;
    }
}
