package dev.loraplane.engine.accelerator;

/**
 * What a vendor tool says about one GPU at one moment: the device and its current figures together,
 * as the tools print them. Figures the tool leaves out or marks N/A are {@code null}.
 *
 * @param index the tool's device index
 * @param id the GPU UUID or serial, or an empty string
 * @param product the product name, or an empty string when the tool does not give one
 * @param memoryTotalBytes device memory in all
 * @param memoryUsedBytes device memory in use
 * @param utilization busy fraction in [0, 1]
 * @param powerWatts board or package power draw
 * @param temperatureCelsius core (edge) temperature
 */
record GpuStatus(
        int index,
        String id,
        String product,
        Long memoryTotalBytes,
        Long memoryUsedBytes,
        Double utilization,
        Double powerWatts,
        Double temperatureCelsius) {

    GpuStatus {
        id = id == null ? "" : id.strip();
        product = product == null ? "" : product.strip();
    }

    /** The device; its memory total is 0 when the tool did not report one (see {@link AcceleratorDevice}). */
    AcceleratorDevice device(String vendor) {
        return new AcceleratorDevice(vendor, index, product, memoryTotalBytes == null ? 0L : memoryTotalBytes, id);
    }

    DeviceTelemetry telemetry(String vendor) {
        return new DeviceTelemetry(vendor, index, product, utilization, memoryUsedBytes, memoryTotalBytes,
                powerWatts, temperatureCelsius);
    }
}
