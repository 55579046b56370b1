package dev.loraplane.engine.accelerator;

import java.util.List;

/**
 * One vendor tool's answer about every GPU it sees.
 *
 * @param tool the tool that answered, e.g. {@code nvidia-smi}
 * @param driverVersion the driver version it reported, or an empty string
 * @param gpus the GPUs, in the tool's index order
 */
record GpuReport(String tool, String driverVersion, List<GpuStatus> gpus) {

    GpuReport {
        driverVersion = driverVersion == null ? "" : driverVersion.strip();
        gpus = List.copyOf(gpus);
    }

    /** A one-line account for {@link Detection#detail()}: "2 GPUs from nvidia-smi, driver 590.44.01". */
    String describe() {
        String count = gpus.size() == 1 ? "1 GPU" : gpus.size() + " GPUs";
        return count + " from " + tool + (driverVersion.isEmpty() ? "" : ", driver " + driverVersion);
    }
}
