package dev.loraplane.engine.accelerator;

import ai.djl.Device;
import java.util.List;

/**
 * The GPU of an Apple silicon Mac, driven by PyTorch's MPS backend ({@code Device.of("mps", 0)}; MPS
 * has exactly one device). Its memory is the host's unified memory, shared with the CPU. The
 * product comes from {@code system_profiler}; live figures from {@code ioreg} (utilization and the
 * memory the GPU holds, no root needed) and, when this process runs as root, {@code powermetrics}
 * (power). macOS offers no GPU temperature without private SMC keys, so none is reported.
 *
 * <p>Kubernetes cannot schedule onto this GPU: macOS runs containers in a Linux VM that has no
 * access to Metal. Apple silicon machines take jobs as loraplane agents instead, so
 * {@link #scheduling()} names no resource, label or image.
 */
public final class ApplePlugin implements AcceleratorPlugin {

    static final String NAME = "apple";

    private static final KubernetesScheduling SCHEDULING = new KubernetesScheduling("", "", List.of(), "");

    private final ToolRunner runner;
    private final HostPlatform host;

    /** Why powermetrics gave nothing the first time (most often: not root); then it is not asked again. */
    private volatile String powermetricsFailure;

    /** Probes this host. */
    public ApplePlugin() {
        this(ToolRunner.system(), HostPlatform.current());
    }

    ApplePlugin(ToolRunner runner, HostPlatform host) {
        this.runner = runner;
        this.host = host;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Detection detect() {
        if (!host.appleSilicon()) {
            return Detection.absent(NAME, "needs macOS on Apple silicon (aarch64); this host is "
                    + host.osName() + " " + host.osArch());
        }
        ToolOutput profiler = runner.run(SystemProfilerDisplays.command());
        if (profiler.ok()) {
            for (SystemProfilerDisplays.Gpu gpu : SystemProfilerDisplays.parse(profiler.stdout())) {
                if (gpu.apple()) {
                    return present(gpu.chipsetModel(), gpu.cores(), "system_profiler");
                }
            }
            return Detection.absent(NAME, "system_profiler lists no Apple GPU");
        }
        ToolOutput ioreg = runner.run(IoregAccelerators.command());
        if (ioreg.ok()) {
            for (IoregAccelerators.Accelerator gpu : IoregAccelerators.parse(ioreg.stdout())) {
                if (gpu.model().startsWith("Apple")) {
                    return present(gpu.model(), gpu.coreCount(), "ioreg");
                }
            }
        }
        return Detection.absent(NAME,
                profiler.failure() + "; " + (ioreg.ok() ? "ioreg lists no Apple GPU" : ioreg.failure()));
    }

    @Override
    public List<DeviceTelemetry> sample() {
        if (!host.appleSilicon()) {
            return List.of();
        }
        ToolOutput ioreg = runner.run(IoregAccelerators.command());
        if (!ioreg.ok()) {
            return List.of();
        }
        IoregAccelerators.Accelerator gpu = IoregAccelerators.parse(ioreg.stdout()).stream()
                .filter(a -> a.model().startsWith("Apple")).findFirst().orElse(null);
        if (gpu == null) {
            return List.of();
        }
        Powermetrics.Sample power = powermetrics();
        return List.of(new DeviceTelemetry(NAME, 0, gpu.model(),
                Readings.first(gpu.utilization(), power == null ? null : power.gpuActiveResidency()),
                gpu.inUseSystemMemory(),
                host.memoryTotalBytes(),
                power == null ? null : power.gpuWatts(),
                null));
    }

    @Override
    public Device djlDevice(int index) {
        if (index != 0) {
            throw new IllegalArgumentException(
                    "apple device index " + index + " does not exist; MPS has only device 0");
        }
        return Device.of("mps", 0);
    }

    /** None: see the class comment. */
    @Override
    public KubernetesScheduling scheduling() {
        return SCHEDULING;
    }

    private Detection present(String product, Integer cores, String tool) {
        powermetrics();
        String power = powermetricsFailure == null ? "power from powermetrics" : "no power figures: " + powermetricsFailure;
        String detail = product + (cores == null ? "" : ", " + cores + " GPU cores") + ", from " + tool
                + "; memory is unified with the CPU; " + power;
        return Detection.present(NAME, List.of(new AcceleratorDevice(NAME, 0, product, host.memoryTotalBytes(), "")),
                detail);
    }

    private Powermetrics.Sample powermetrics() {
        if (powermetricsFailure != null) {
            return null;
        }
        ToolOutput output = runner.run(Powermetrics.command());
        if (!output.ok()) {
            powermetricsFailure = output.failure();
            return null;
        }
        return Powermetrics.parse(output.stdout());
    }
}
