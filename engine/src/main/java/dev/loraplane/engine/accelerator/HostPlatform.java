package dev.loraplane.engine.accelerator;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The machine this JVM runs on, as the JVM sees it.
 *
 * @param osName {@code os.name}, e.g. "Linux", "Mac OS X"
 * @param osArch {@code os.arch}, e.g. "amd64", "aarch64"
 * @param logicalCores the processors this JVM may use
 * @param memoryTotalBytes physical memory
 */
record HostPlatform(String osName, String osArch, int logicalCores, long memoryTotalBytes) {

    static HostPlatform current() {
        return new HostPlatform(System.getProperty("os.name", ""), System.getProperty("os.arch", ""),
                Runtime.getRuntime().availableProcessors(), operatingSystem().getTotalMemorySize());
    }

    boolean linux() {
        return osName.toLowerCase(Locale.ROOT).startsWith("linux");
    }

    boolean mac() {
        return osName.toLowerCase(Locale.ROOT).contains("mac");
    }

    /** A Mac with an Apple M-series chip, the only kind whose GPU PyTorch drives through MPS. */
    boolean appleSilicon() {
        return mac() && osArch.equals("aarch64");
    }

    /** The JDK's view of the operating system, with memory and load figures. */
    static OperatingSystemMXBean operatingSystem() {
        return (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    }
}
