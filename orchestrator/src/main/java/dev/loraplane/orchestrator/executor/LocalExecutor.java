package dev.loraplane.orchestrator.executor;

import dev.loraplane.engine.accelerator.AcceleratorDevice;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs each attempt on this machine as a child process, {@code loraplane worker --spec FILE
 * --exit-with-parent}, on devices it hands out itself: CPU slots, and GPUs by index through
 * {@code CUDA_VISIBLE_DEVICES} (nvidia) or {@code HIP_VISIBLE_DEVICES} (amd). Cancel is SIGTERM (the
 * worker checkpoints), then a kill after a grace period. If the control plane dies, its workers
 * checkpoint and stop; the next start requeues their jobs and resumes them from those checkpoints.
 */
public final class LocalExecutor implements Executor {

    /**
     * @param workerCommand the command that starts a worker, before {@code --spec FILE}
     * @param cpuSlots CPU jobs run at once (0: none on CPU)
     * @param devices the accelerators of this host the executor may use (cpu excluded)
     * @param workDir each job's spec and worker logs go in {@code workDir/<job id>}
     * @param graceSeconds how long a stopped worker gets to checkpoint before it is killed
     */
    public record Config(List<String> workerCommand, int cpuSlots, List<AcceleratorDevice> devices, Path workDir,
            long graceSeconds) {

        public Config {
            workerCommand = List.copyOf(workerCommand);
            devices = List.copyOf(devices);
        }
    }

    private record Running(Process process, Attempt attempt, String type, List<Integer> indices) {}

    private final Config config;
    private final String cpuProduct;
    private final String host = hostName();
    private final Map<String, Running> running = new ConcurrentHashMap<>();

    public LocalExecutor(Config config, String cpuProduct) {
        this.config = config;
        this.cpuProduct = cpuProduct;
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public synchronized List<DevicePool> pools() {
        List<DevicePool> pools = new ArrayList<>();
        if (config.cpuSlots() > 0) {
            long busy = running.values().stream().filter(r -> r.type().equals("cpu")).count();
            pools.add(new DevicePool(name(), host, "cpu", cpuProduct, config.cpuSlots(), config.cpuSlots() - (int) busy));
        }
        Map<String, List<AcceleratorDevice>> byProduct = config.devices().stream()
                .collect(Collectors.groupingBy(d -> d.vendor() + "\u0000" + d.product(), LinkedHashMap::new, Collectors.toList()));
        Set<String> held = held();
        for (List<AcceleratorDevice> group : byProduct.values()) {
            AcceleratorDevice first = group.get(0);
            int free = (int) group.stream().filter(d -> !held.contains(d.vendor() + ":" + d.index())).count();
            pools.add(new DevicePool(name(), host, first.vendor(), first.product(), group.size(), free));
        }
        return pools;
    }

    @Override
    public synchronized void start(Attempt attempt, DevicePool pool, AttemptListener listener) {
        Path dir = config.workDir().resolve(attempt.jobId());
        Path spec = dir.resolve("spec.json");
        Path log = dir.resolve("worker-" + attempt.number() + ".log");
        List<Integer> indices = pool.type().equals("cpu") ? List.of() : claim(pool, attempt.accelerator().count());
        List<String> command = new ArrayList<>(config.workerCommand());
        command.addAll(List.of("--spec", spec.toString(), "--exit-with-parent"));   // a killed control plane leaves no orphan
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(log.toFile());
        String visible = indices.stream().map(String::valueOf).collect(Collectors.joining(","));
        switch (pool.type()) {
            case "nvidia" -> builder.environment().put("CUDA_VISIBLE_DEVICES", visible);
            case "amd" -> builder.environment().put("HIP_VISIBLE_DEVICES", visible);
            default -> { }
        }
        builder.environment().put("LORAPLANE_ACCELERATOR", pool.type());
        Process process;
        try {
            Files.createDirectories(dir);
            Files.writeString(spec, attempt.spec().toJson());
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the worker for " + attempt.jobId() + ": " + e.getMessage(), e);
        }
        running.put(attempt.jobId(), new Running(process, attempt, pool.type(), indices));
        Thread reader = new Thread(() -> follow(attempt.jobId(), process, log, listener), "worker-" + attempt.jobId());
        reader.setDaemon(true);
        reader.start();
    }

    private void follow(String jobId, Process process, Path log, AttemptListener listener) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                listener.line(line);
            }
        } catch (IOException e) {
            // the pipe broke: the exit code below says how the worker ended
        }
        int code;
        try {
            code = process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = AttemptExit.LOST;
        }
        running.remove(jobId);
        listener.exited(new AttemptExit(code, "its log is " + log));
    }

    /** Free device indices of {@code pool}'s product, lowest first. */
    private List<Integer> claim(DevicePool pool, int count) {
        Set<String> held = held();
        List<Integer> free = config.devices().stream()
                .filter(d -> d.vendor().equals(pool.type()) && d.product().equals(pool.product()))
                .filter(d -> !held.contains(d.vendor() + ":" + d.index())).map(AcceleratorDevice::index).sorted().toList();
        if (free.size() < count) {
            throw new IllegalStateException(count + " " + pool.type() + " devices asked for, " + free.size() + " free");
        }
        return free.subList(0, count);
    }

    private Set<String> held() {
        return running.values().stream().flatMap(r -> r.indices().stream().map(i -> r.type() + ":" + i))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** The host it runs workers on, as device series name it. */
    public String host() {
        return host;
    }

    /** What it may run on this host: CPU slots (cpu device 0) when it has any, and its GPUs. */
    public List<AcceleratorDevice> devices() {
        List<AcceleratorDevice> devices = new ArrayList<>();
        if (config.cpuSlots() > 0) {
            devices.add(new AcceleratorDevice("cpu", 0, cpuProduct, 0, ""));
        }
        devices.addAll(config.devices());
        return devices;
    }

    /**
     * The attempt running on the {@code index}-th device of {@code vendor}: the one that holds that GPU,
     * or for cpu device 0 the only CPU attempt; none when no attempt, or several, share the device.
     */
    public Optional<Attempt> holder(String vendor, int index) {
        List<Attempt> on = running.values().stream().filter(r -> r.type().equals(vendor)
                && (vendor.equals("cpu") ? index == 0 : r.indices().contains(index))).map(Running::attempt).toList();
        return on.size() == 1 ? Optional.of(on.get(0)) : Optional.empty();
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }

    @Override
    public boolean isRunning(String jobId) {
        return running.containsKey(jobId);
    }

    @Override
    public void cancel(String jobId) {
        Running r = running.get(jobId);
        if (r == null) {
            return;
        }
        Process process = r.process();
        process.toHandle().destroy();   // SIGTERM; Process.destroy() would also close the pipes we read
        process.onExit().orTimeout(config.graceSeconds(), TimeUnit.SECONDS).exceptionally(timeout -> {
            process.descendants().forEach(ProcessHandle::destroyForcibly);   // nothing of it may keep its output open
            process.destroyForcibly();
            return process;
        });
    }

    @Override
    public void stopAll() {
        running.keySet().forEach(this::cancel);
    }
}
