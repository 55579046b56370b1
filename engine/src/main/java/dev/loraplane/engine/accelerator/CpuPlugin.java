package dev.loraplane.engine.accelerator;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The host CPU, always present: device 0, with the host's memory. On Linux the figures come from
 * {@code /proc} and sysfs (utilization over the time since the previous sample, temperature from a
 * thermal zone, power from RAPL counters); elsewhere from the JVM's operating-system bean, without
 * temperature or power.
 */
public final class CpuPlugin implements AcceleratorPlugin {

    static final String NAME = "cpu";

    /** The interval of the first utilization reading, when there is no earlier sample to compare with. */
    static final Duration FIRST_INTERVAL = Duration.ofMillis(100);

    private static final Path PROC = Path.of("/proc");

    private static final KubernetesScheduling SCHEDULING =
            new KubernetesScheduling("", "", List.of(), ContainerImages.CPU);

    /** Counters at one moment, for the next sample's deltas. */
    private record Snapshot(ProcFs.CpuTimes times, Map<Path, Long> energy, long nanos) {}

    private final ToolRunner runner;
    private final HostPlatform host;
    private final CpuSensors sensors = new CpuSensors(Path.of("/sys"));
    private Snapshot last;
    private volatile String product;

    /** Probes this host. */
    public CpuPlugin() {
        this(ToolRunner.system(), HostPlatform.current());
    }

    CpuPlugin(ToolRunner runner, HostPlatform host) {
        this.runner = runner;
        this.host = host;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Detection detect() {
        String cores = host.logicalCores() + " logical core" + (host.logicalCores() == 1 ? "" : "s");
        return Detection.present(NAME, List.of(new AcceleratorDevice(NAME, 0, product(), memoryTotal(), "")),
                host.osName() + " " + host.osArch() + ", " + cores);
    }

    @Override
    public synchronized List<DeviceTelemetry> sample() {
        if (host.linux()) {
            try {
                return List.of(linuxSample());
            } catch (ToolOutputException e) {
                // /proc is unreadable here (a sandbox): the JVM's figures still hold
            }
        }
        double load = HostPlatform.operatingSystem().getCpuLoad();
        long total = HostPlatform.operatingSystem().getTotalMemorySize();
        long free = HostPlatform.operatingSystem().getFreeMemorySize();
        return List.of(new DeviceTelemetry(NAME, 0, product(), load < 0 ? null : Math.min(1.0, load),
                total - free, total, null, null));
    }

    /** Utilization and power over the time since the previous sample, or over {@link #FIRST_INTERVAL}. */
    private DeviceTelemetry linuxSample() {
        Snapshot before = last;
        Snapshot now = snapshot();
        if (before == null || now.times().total() <= before.times().total()) {
            before = before == null ? now : before;
            try {
                Thread.sleep(FIRST_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            now = snapshot();
        }
        last = now;
        ProcFs.MemInfo memory = ProcFs.MemInfo.parse(readProc("meminfo"));
        return new DeviceTelemetry(NAME, 0, product(),
                now.times().utilizationSince(before.times()),
                memory.usedBytes(),
                memory.totalBytes(),
                sensors.watts(before.energy(), now.energy(), now.nanos() - before.nanos()),
                sensors.temperatureCelsius());
    }

    @Override
    public Device djlDevice(int index) {
        if (index != 0) {
            throw new IllegalArgumentException(
                    "cpu device index " + index + " does not exist; the host CPU is device 0");
        }
        return Device.cpu();
    }

    /** No extended resource: a CPU pod asks for plain {@code cpu} and {@code memory}. */
    @Override
    public KubernetesScheduling scheduling() {
        return SCHEDULING;
    }

    /** The CPU's model name, or the architecture and core count where the OS does not name it. */
    private String product() {
        String known = product;
        if (known == null) {
            known = modelName();
            known = known.isEmpty() ? host.osArch() + " CPU, " + host.logicalCores() + " logical cores" : known;
            product = known;
        }
        return known;
    }

    private String modelName() {
        if (host.linux()) {
            try {
                return ProcFs.modelName(readProc("cpuinfo"));
            } catch (ToolOutputException e) {
                return "";
            }
        }
        if (host.mac()) {
            ToolOutput brand = runner.run(List.of("sysctl", "-n", "machdep.cpu.brand_string"));
            return brand.ok() ? brand.stdout().strip() : "";
        }
        return "";
    }

    /** MemTotal on Linux, as the kernel counts it; else the JVM's figure for physical memory. */
    private long memoryTotal() {
        if (host.linux()) {
            try {
                return ProcFs.MemInfo.parse(readProc("meminfo")).totalBytes();
            } catch (ToolOutputException e) {
                return host.memoryTotalBytes();
            }
        }
        return host.memoryTotalBytes();
    }

    private Snapshot snapshot() {
        return new Snapshot(ProcFs.CpuTimes.parse(readProc("stat")), sensors.energyMicrojoules(), System.nanoTime());
    }

    private static String readProc(String name) {
        try {
            return Files.readString(PROC.resolve(name));
        } catch (IOException e) {
            throw new ToolOutputException("cannot read /proc/" + name + ": " + e.getMessage(), e);
        }
    }
}
