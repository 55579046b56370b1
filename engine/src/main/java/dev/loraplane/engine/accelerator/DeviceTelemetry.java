package dev.loraplane.engine.accelerator;

/**
 * One reading of one device. Figures a tool does not report are {@code null}, never zero.
 *
 * @param vendor the plugin name: cpu, nvidia, amd, apple
 * @param index the device index
 * @param product the device's product name
 * @param utilization busy fraction in [0, 1]
 * @param memoryUsedBytes memory in use
 * @param memoryTotalBytes memory in all
 * @param powerWatts power draw, when reported
 * @param temperatureCelsius core temperature, when reported
 */
public record DeviceTelemetry(
        String vendor,
        int index,
        String product,
        Double utilization,
        Long memoryUsedBytes,
        Long memoryTotalBytes,
        Double powerWatts,
        Double temperatureCelsius) {}
