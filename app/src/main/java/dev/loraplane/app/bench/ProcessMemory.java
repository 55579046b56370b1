package dev.loraplane.app.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Peak memory of this process over one measurement: the Java heap from the memory pools' peaks, and
 * the resident set from Linux's {@code VmHWM}. libtorch's tensors live outside the heap, so for
 * training the resident set is the figure that counts; elsewhere than Linux it is unknown.
 *
 * <p>{@code VmHWM} is a high-water mark for the whole process. Linux (4.0 and later) resets it when
 * {@code 5} is written to {@code /proc/self/clear_refs}; where that is refused, a later measurement's
 * peak includes every earlier one.
 */
final class ProcessMemory {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private ProcessMemory() {}

    /** Starts a measurement: collects garbage, resets the heap pools' peaks and, where allowed, {@code VmHWM}. */
    static boolean resetPeaks() {
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /**
     * The heap's peak since {@link #resetPeaks}: the sum of each heap pool's own peak, an upper bound,
     * since the pools need not peak at the same moment.
     */
    static long peakHeapBytes() {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP)
                .mapToLong(pool -> pool.getPeakUsage().getUsed())
                .sum();
    }

    /** The resident set's high-water mark ({@code VmHWM}), or empty where there is no {@code /proc}. */
    static OptionalLong peakRssBytes() {
        return status("VmHWM:");
    }

    /** The resident set now ({@code VmRSS}), or empty where there is no {@code /proc}. */
    static OptionalLong rssBytes() {
        return status("VmRSS:");
    }

    /** A line of {@code /proc/self/status} such as {@code VmHWM:   320508 kB}, in bytes. */
    private static OptionalLong status(String field) {
        if (!Files.isReadable(STATUS)) {
            return OptionalLong.empty();
        }
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(field)) {
                    String[] parts = line.substring(field.length()).trim().split("\\s+");
                    return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
                }
            }
            return OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
