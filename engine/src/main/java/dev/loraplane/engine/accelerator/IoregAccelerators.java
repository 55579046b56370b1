package dev.loraplane.engine.accelerator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code ioreg -r -d 1 -w 0 -c IOAccelerator}: one {@code +-o} entry per GPU driver, each a
 * list of {@code "key" = value} properties. The GPU's live figures are in
 * {@code "PerformanceStatistics" = {"Device Utilization %"=100,"In use system memory"=…}}; no root
 * is needed to read them.
 */
final class IoregAccelerators {

    /**
     * One accelerator entry.
     *
     * @param model the {@code "model"} property, e.g. "Apple M4 Pro", or an empty string
     * @param coreCount {@code "gpu-core-count"}, or {@code null}
     * @param statistics the numeric {@code PerformanceStatistics}, by name
     */
    record Accelerator(String model, Integer coreCount, Map<String, Long> statistics) {

        Accelerator {
            statistics = Map.copyOf(statistics);
        }

        /** "Device Utilization %" as a fraction, or {@code null}. */
        Double utilization() {
            Long percent = statistics.get("Device Utilization %");
            return percent == null ? null : Readings.fraction(percent.doubleValue());
        }

        /** "In use system memory": the unified memory the GPU's allocations hold now, in bytes. */
        Long inUseSystemMemory() {
            return statistics.get("In use system memory");
        }

        /** "Alloc system memory": the unified memory the GPU driver has reserved, in bytes. */
        Long allocSystemMemory() {
            return statistics.get("Alloc system memory");
        }
    }

    private static final Pattern MODEL = Pattern.compile("^\\s*\"model\" = \"([^\"]*)\"", Pattern.MULTILINE);
    private static final Pattern CORES = Pattern.compile("^\\s*\"gpu-core-count\" = (\\d+)", Pattern.MULTILINE);
    private static final Pattern STATISTICS =
            Pattern.compile("^\\s*\"PerformanceStatistics\" = \\{([^}]*)}", Pattern.MULTILINE);
    private static final Pattern NUMERIC_ENTRY = Pattern.compile("\"([^\"]+)\"=(-?\\d+)(?=[,}]|$)");

    private IoregAccelerators() {}

    static List<String> command() {
        return List.of("ioreg", "-r", "-d", "1", "-w", "0", "-c", "IOAccelerator");
    }

    static List<Accelerator> parse(String text) {
        List<Accelerator> found = new ArrayList<>();
        for (String entry : text.split("(?m)^(?=\\+-o )")) {
            if (!entry.startsWith("+-o ")) {
                continue;
            }
            Matcher model = MODEL.matcher(entry);
            Matcher cores = CORES.matcher(entry);
            Map<String, Long> statistics = new HashMap<>();
            Matcher block = STATISTICS.matcher(entry);
            if (block.find()) {
                Matcher pair = NUMERIC_ENTRY.matcher(block.group(1));
                while (pair.find()) {
                    try {
                        statistics.put(pair.group(1), Long.parseLong(pair.group(2)));
                    } catch (NumberFormatException e) {
                        // an unsigned 64-bit counter past Long.MAX_VALUE: not one of the figures read here
                    }
                }
            }
            found.add(new Accelerator(model.find() ? model.group(1) : "",
                    cores.find() ? Integer.valueOf(cores.group(1)) : null, statistics));
        }
        return found;
    }
}
