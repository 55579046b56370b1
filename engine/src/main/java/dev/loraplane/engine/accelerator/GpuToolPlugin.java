package dev.loraplane.engine.accelerator;

import ai.djl.Device;
import java.util.List;

/**
 * A GPU vendor whose devices a command-line tool reports ({@code nvidia-smi}, {@code rocm-smi}): the
 * subclass only says how to ask the tool; detection, telemetry and device numbering are the same.
 */
abstract class GpuToolPlugin implements AcceleratorPlugin {

    private final String name;
    private final String tool;
    private final KubernetesScheduling scheduling;

    GpuToolPlugin(String name, String tool, KubernetesScheduling scheduling) {
        this.name = name;
        this.tool = tool;
        this.scheduling = scheduling;
    }

    /** Runs the vendor tool once and parses what it printed, or says why it could not. */
    abstract Probe probe();

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Detection detect() {
        Probe probe = probe();
        if (probe.report() == null) {
            return Detection.absent(name, probe.failure());
        }
        if (probe.report().gpus().isEmpty()) {
            return Detection.absent(name, probe.report().tool() + " reports no GPU");
        }
        return Detection.present(name, probe.report().gpus().stream().map(g -> g.device(name)).toList(),
                probe.report().describe());
    }

    @Override
    public final List<DeviceTelemetry> sample() {
        Probe probe = probe();
        return probe.report() == null ? List.of() : probe.report().gpus().stream().map(g -> g.telemetry(name)).toList();
    }

    /** CUDA and ROCm builds of libtorch both number their GPUs as {@code Device.gpu(i)}. */
    @Override
    public final Device djlDevice(int index) {
        if (index < 0) {
            throw new IllegalArgumentException(name + " device index " + index + " is negative; " + tool
                    + " numbers GPUs from 0");
        }
        return Device.gpu(index);
    }

    @Override
    public final KubernetesScheduling scheduling() {
        return scheduling;
    }
}
