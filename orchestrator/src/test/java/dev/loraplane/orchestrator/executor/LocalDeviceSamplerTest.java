package dev.loraplane.orchestrator.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.loraplane.engine.accelerator.Accelerators;
import dev.loraplane.orchestrator.metrics.ControlPlaneMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control plane host's own readings on a CPU-only machine: the cpu plugin's figures under the GPU
 * series names with {@code vendor="cpu"}, checked against what {@code /proc} says over the same time.
 */
class LocalDeviceSamplerTest {

    @TempDir
    Path dir;

    private final ControlPlaneMetrics metrics = new ControlPlaneMetrics();
    private LocalExecutor executor;

    @AfterEach
    void close() {
        metrics.close();
    }

    @Test
    void aCpuOnlyHostReportsItsCpuUnderTheGpuSeriesAsProcSaysIt() throws Exception {
        if (!Files.isReadable(Path.of("/proc/stat"))) {
            System.err.println("SKIPPED: the cpu figures are checked against /proc, which this OS does not have");
            return;
        }
        executor = new LocalExecutor(new LocalExecutor.Config(List.of("true"), 1, List.of(), dir, 1), "the cpu");
        LocalDeviceSampler sampler = new LocalDeviceSampler(executor, Accelerators::plugin, metrics);
        sampler.sample();   // the start of the interval the next reading covers
        long[] before = procStat();
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            Math.sqrt(System.nanoTime());   // one core busy, so the figure is not just idle noise
        }
        long[] after = procStat();
        sampler.sample();
        long available = kilobytes("MemAvailable:") * 1024;
        long total = kilobytes("MemTotal:") * 1024;

        double busy = (double) (after[0] - before[0]) / (after[1] - before[1]);
        assertThat(value("loraplane_gpu_utilization_ratio")).as("utilization over the same second as /proc/stat's ticks")
                .isCloseTo(busy, within(0.15));
        assertThat(value("loraplane_gpu_memory_total_bytes")).isEqualTo((double) total);
        assertThat(value("loraplane_gpu_memory_used_bytes")).as("MemTotal - MemAvailable")
                .isCloseTo((double) (total - available), within(0.02 * total));
        sampler.close();
    }

    /** The value of the host's cpu series of {@code name}, with no job on it. */
    private double value(String name) {
        String prefix = name + "{device=\"0\",host=\"" + executor.host() + "\",job_id=\"\",product=\"";
        String line = metrics.scrape().lines().filter(l -> l.startsWith(prefix) && l.contains("vendor=\"cpu\"")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + " in\n" + metrics.scrape()));
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    /** Busy and total ticks of /proc/stat's aggregate line, as proc(5) defines them. */
    private static long[] procStat() throws IOException {
        String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
        long[] f = Arrays.stream(line.substring(4).trim().split("\\s+")).limit(8).mapToLong(Long::parseLong).toArray();
        long total = Arrays.stream(f).sum();
        return new long[] {total - f[3] - f[4], total};
    }

    private static long kilobytes(String key) throws IOException {
        return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith(key))
                .map(l -> Long.parseLong(l.substring(key.length()).replace("kB", "").trim())).findFirst().orElseThrow();
    }
}
