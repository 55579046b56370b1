package dev.loraplane.engine.accelerator;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the plain-text {@code system_profiler SPDisplaysDataType}: one block per graphics processor,
 * opened by its "Chipset Model:" line, followed by the displays attached to it.
 */
final class SystemProfilerDisplays {

    /**
     * One graphics processor.
     *
     * @param chipsetModel e.g. "Apple M4 Pro"
     * @param cores "Total Number of Cores", or {@code null} (Intel Macs' GPUs print none)
     * @param vendor e.g. "Apple (0x106b)", or an empty string
     */
    record Gpu(String chipsetModel, Integer cores, String vendor) {

        /** An Apple-designed GPU, the kind MPS drives. */
        boolean apple() {
            return vendor.startsWith("Apple") || chipsetModel.startsWith("Apple");
        }
    }

    private SystemProfilerDisplays() {}

    static List<String> command() {
        return List.of("system_profiler", "SPDisplaysDataType");
    }

    static List<Gpu> parse(String text) {
        List<Gpu> gpus = new ArrayList<>();
        String model = null;
        Integer cores = null;
        String vendor = "";
        for (String line : text.lines().map(String::strip).toList()) {
            if (line.startsWith("Chipset Model:")) {
                if (model != null) {
                    gpus.add(new Gpu(model, cores, vendor));
                }
                model = value(line);
                cores = null;
                vendor = "";
            } else if (model != null && line.startsWith("Total Number of Cores:")) {
                Double n = Readings.number(value(line));
                cores = n == null ? null : n.intValue();
            } else if (model != null && line.startsWith("Vendor:")) {
                vendor = value(line);
            }
        }
        if (model != null) {
            gpus.add(new Gpu(model, cores, vendor));
        }
        return gpus;
    }

    private static String value(String line) {
        return line.substring(line.indexOf(':') + 1).strip();
    }
}
