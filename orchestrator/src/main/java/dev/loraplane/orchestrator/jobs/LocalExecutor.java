package dev.loraplane.orchestrator.jobs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Runs each job as a child process, {@code loraplane worker --spec FILE --exit-with-parent}, one per
 * free slot, and hands its stdout lines to the caller. Cancel is SIGTERM (the worker checkpoints),
 * then a kill after a grace period. If the control plane dies, its workers checkpoint and stop; the
 * next start requeues their jobs and resumes them from those checkpoints.
 */
public final class LocalExecutor {

    private final List<String> workerCommand;
    private final int slots;
    private final Map<String, Process> running = new ConcurrentHashMap<>();

    /**
     * @param workerCommand the command that starts a worker, before {@code --spec FILE}
     * @param slots how many jobs run at once
     */
    public LocalExecutor(List<String> workerCommand, int slots) {
        this.workerCommand = List.copyOf(workerCommand);
        this.slots = slots;
    }

    public int freeSlots() {
        return slots - running.size();
    }

    public boolean isRunning(String jobId) {
        return running.containsKey(jobId);
    }

    /**
     * Starts a worker; {@code onLine} gets each stdout line and {@code onExit} the exit code, both on
     * the worker's reader thread.
     */
    public void start(String jobId, Path spec, Path log, Consumer<String> onLine, IntConsumer onExit) {
        List<String> command = new ArrayList<>(workerCommand);
        command.add("--spec");
        command.add(spec.toString());
        command.add("--exit-with-parent");   // a control plane killed outright leaves no orphan training
        Process process;
        try {
            process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the worker for " + jobId + ": " + e.getMessage(), e);
        }
        running.put(jobId, process);
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    onLine.accept(line);
                }
                int code = process.waitFor();
                running.remove(jobId);
                onExit.accept(code);
            } catch (IOException e) {
                running.remove(jobId);
                onExit.accept(-1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "worker-" + jobId);
        reader.setDaemon(true);
        reader.start();
    }

    /** SIGTERM, then SIGKILL after {@code graceSeconds}. */
    public void cancel(String jobId, long graceSeconds) {
        Process process = running.get(jobId);
        if (process == null) {
            return;
        }
        process.toHandle().destroy();
        process.onExit().orTimeout(graceSeconds, TimeUnit.SECONDS).exceptionally(timeout -> {
            process.destroyForcibly();
            return process;
        });
    }

    /** Stops every worker (control plane shutdown): they checkpoint and the jobs resume later. */
    public void stopAll(long graceSeconds) {
        running.keySet().forEach(id -> cancel(id, graceSeconds));
    }

    static void writeSpec(Path file, String json) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, json);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
