package dev.loraplane.engine.accelerator;

/** Readers for the Linux {@code /proc} files the cpu plugin uses. */
final class ProcFs {

    private ProcFs() {}

    /**
     * The aggregate {@code cpu} line of {@code /proc/stat}, in clock ticks.
     *
     * @param busy ticks spent on anything but idle and iowait
     * @param total all ticks (user, nice, system, idle, iowait, irq, softirq, steal; guest time is
     *     already inside user and nice)
     */
    record CpuTimes(long busy, long total) {

        static CpuTimes parse(String procStat) {
            String line = procStat.lines().filter(l -> l.startsWith("cpu ")).findFirst()
                    .orElseThrow(() -> new ToolOutputException("/proc/stat has no aggregate \"cpu \" line"));
            String[] f = line.trim().split("\\s+");
            if (f.length < 5) {
                throw new ToolOutputException(
                        "/proc/stat cpu line has " + (f.length - 1) + " fields; expected at least 4");
            }
            try {
                long total = 0;
                for (int i = 1; i < Math.min(f.length, 9); i++) {
                    total += Long.parseLong(f[i]);
                }
                long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
                return new CpuTimes(total - idle, total);
            } catch (NumberFormatException e) {
                throw new ToolOutputException("/proc/stat cpu line \"" + line + "\" holds a non-number", e);
            }
        }

        /** The busy fraction between an earlier reading and this one; {@code null} when no tick passed. */
        Double utilizationSince(CpuTimes earlier) {
            long ticks = total - earlier.total;
            return ticks <= 0 ? null : Math.max(0.0, Math.min(1.0, (double) (busy - earlier.busy) / ticks));
        }
    }

    /**
     * {@code /proc/meminfo}'s totals.
     *
     * @param totalBytes MemTotal
     * @param availableBytes MemAvailable (since Linux 3.14), or {@code null}
     */
    record MemInfo(long totalBytes, Long availableBytes) {

        static MemInfo parse(String procMeminfo) {
            Long total = kilobytes(procMeminfo, "MemTotal:");
            if (total == null) {
                throw new ToolOutputException("/proc/meminfo has no MemTotal line");
            }
            return new MemInfo(total, kilobytes(procMeminfo, "MemAvailable:"));
        }

        Long usedBytes() {
            return availableBytes == null ? null : totalBytes - availableBytes;
        }

        /** "MemTotal:       24684096 kB" → bytes (the kernel's kB are KiB). */
        private static Long kilobytes(String meminfo, String key) {
            return meminfo.lines().filter(l -> l.startsWith(key)).findFirst()
                    .map(l -> Readings.bytes(Readings.number(l.substring(key.length())), Readings.KIB))
                    .orElse(null);
        }
    }

    /** The first "model name" of {@code /proc/cpuinfo}, or an empty string (ARM kernels print none). */
    static String modelName(String procCpuinfo) {
        return procCpuinfo.lines()
                .filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip())
                .filter(name -> !name.isEmpty())
                .findFirst()
                .orElse("");
    }
}
