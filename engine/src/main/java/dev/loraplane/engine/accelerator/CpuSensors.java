package dev.loraplane.engine.accelerator;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Linux sysfs sensors of the host CPU: a thermal zone's temperature and the RAPL package energy
 * counters. Either may be missing (VMs, containers) or unreadable (RAPL's {@code energy_uj} is
 * root-only since Linux 5.10); then it reads as {@code null}.
 */
final class CpuSensors {

    /** Thermal zone types that measure the CPU package, best first. */
    private static final List<String> CPU_ZONE_TYPES =
            List.of("x86_pkg_temp", "cpu-thermal", "cpu_thermal", "soc_thermal", "soc-thermal");

    private final Path thermal;
    private final Path powercap;

    CpuSensors(Path sysfs) {
        this.thermal = sysfs.resolve("class/thermal");
        this.powercap = sysfs.resolve("class/powercap");
    }

    /** The CPU package zone's temperature, else the first readable zone's; {@code null} when none reads. */
    Double temperatureCelsius() {
        Double fallback = null;
        for (Path zone : list(thermal, "thermal_zone*")) {
            Double milli = Readings.number(read(zone.resolve("temp")));
            if (milli == null) {
                continue;
            }
            String type = read(zone.resolve("type"));
            if (type != null && CPU_ZONE_TYPES.contains(type.strip())) {
                return milli / 1000.0;
            }
            fallback = fallback == null ? milli / 1000.0 : fallback;
        }
        return fallback;
    }

    /**
     * The energy counters of every CPU package ({@code intel-rapl:N}, also used by AMD since Linux 5.8),
     * in microjoules; {@code null} when there are none or one cannot be read.
     */
    Map<Path, Long> energyMicrojoules() {
        Map<Path, Long> counters = new LinkedHashMap<>();
        for (Path domain : list(powercap, "intel-rapl:[0-9]*")) {
            if (domain.getFileName().toString().indexOf(':') != domain.getFileName().toString().lastIndexOf(':')) {
                continue; // intel-rapl:0:0 and the like are parts of a package, already in its counter
            }
            Double energy = Readings.number(read(domain.resolve("energy_uj")));
            if (energy == null) {
                return null;
            }
            counters.put(domain, energy.longValue());
        }
        return counters.isEmpty() ? null : counters;
    }

    /** Average power between two counter readings taken {@code nanos} apart, allowing for wrap-around. */
    Double watts(Map<Path, Long> before, Map<Path, Long> after, long nanos) {
        if (before == null || after == null || nanos <= 0 || !before.keySet().equals(after.keySet())) {
            return null;
        }
        double microjoules = 0;
        for (Map.Entry<Path, Long> e : after.entrySet()) {
            long delta = e.getValue() - before.get(e.getKey());
            if (delta < 0) {
                Double range = Readings.number(read(e.getKey().resolve("max_energy_range_uj")));
                if (range == null) {
                    return null;
                }
                delta += range.longValue();
            }
            microjoules += delta;
        }
        return microjoules * 1e3 / nanos;
    }

    private static List<Path> list(Path dir, String glob) {
        List<Path> paths = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return paths;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, glob)) {
            stream.forEach(paths::add);
        } catch (IOException e) {
            return paths;
        }
        paths.sort(null);
        return paths;
    }

    /** A sysfs file's content, or {@code null} when it is missing or unreadable. */
    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException | SecurityException e) {
            return null;
        }
    }
}
