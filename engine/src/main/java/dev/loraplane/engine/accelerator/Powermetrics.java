package dev.loraplane.engine.accelerator;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the text of {@code powermetrics}, which macOS runs only for root. Power lines read
 * "GPU Power: 28 mW"; the gpu_power sampler adds "GPU HW active residency:   1.63% (…)" ("GPU active
 * residency" before macOS 13). When the text holds several samples, the last one wins.
 */
final class Powermetrics {

    /**
     * One sample's figures; each {@code null} when the sample lacks it.
     *
     * @param gpuWatts "GPU Power"
     * @param cpuWatts "CPU Power"
     * @param gpuActiveResidency the GPU's busy fraction, from its active residency
     */
    record Sample(Double gpuWatts, Double cpuWatts, Double gpuActiveResidency) {}

    private static final String NUMBER = "(\\d+(?:\\.\\d*)?|\\.\\d+)";
    private static final Pattern GPU_POWER = Pattern.compile("^GPU Power: " + NUMBER + " (mW|W)\\b", Pattern.MULTILINE);
    private static final Pattern CPU_POWER = Pattern.compile("^CPU Power: " + NUMBER + " (mW|W)\\b", Pattern.MULTILINE);
    private static final Pattern GPU_RESIDENCY =
            Pattern.compile("^GPU (?:HW )?active residency:\\s*" + NUMBER + "%", Pattern.MULTILINE);

    private Powermetrics() {}

    /** One short sample of the GPU sampler alone. */
    static List<String> command() {
        return List.of("powermetrics", "--samplers", "gpu_power", "-n", "1", "-i", "200");
    }

    static Sample parse(String text) {
        Double residency = last(GPU_RESIDENCY.matcher(text), false);
        return new Sample(last(GPU_POWER.matcher(text), true), last(CPU_POWER.matcher(text), true),
                Readings.fraction(residency));
    }

    /** The last match's number, in watts when {@code power} (group 2 is its unit). */
    private static Double last(Matcher m, boolean power) {
        Double value = null;
        while (m.find()) {
            value = Double.valueOf(m.group(1));
            if (power && m.group(2).equals("mW")) {
                value /= 1000.0;
            }
        }
        return value;
    }
}
