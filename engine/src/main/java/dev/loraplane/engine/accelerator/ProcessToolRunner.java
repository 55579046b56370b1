package dev.loraplane.engine.accelerator;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs tools as child processes under {@code LC_ALL=C} (so numbers print with a decimal point), with
 * a timeout after which the tool and its children are killed.
 */
final class ProcessToolRunner implements ToolRunner {

    /** Reads the pipes of running tools, so that a chatty tool never blocks on a full pipe. */
    private static final ExecutorService PIPE_READERS = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "loraplane-tool-output");
        thread.setDaemon(true);
        return thread;
    });

    private static final int MAX_REASON_CHARS = 300;

    private final Duration timeout;

    ProcessToolRunner(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public ToolOutput run(List<String> command) {
        String tool = command.get(0);
        if (locate(tool).isEmpty()) {
            return ToolOutput.failed(tool + " not found on PATH");
        }
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("LC_ALL", "C");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return ToolOutput.failed("could not start " + tool + ": " + e.getMessage());
        }
        try {
            process.getOutputStream().close();
            CompletableFuture<String> stdout = drain(process.getInputStream());
            CompletableFuture<String> stderr = drain(process.getErrorStream());
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                return ToolOutput.failed(String.format(Locale.ROOT, "%s gave no answer within %.1f s and was stopped",
                        tool, timeout.toMillis() / 1000.0));
            }
            String out = stdout.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (process.exitValue() != 0) {
                String err = stderr.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return ToolOutput.failed(tool + " exited with status " + process.exitValue() + ": "
                        + firstLine(err.isBlank() ? out : err));
            }
            return ToolOutput.of(out);
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            return ToolOutput.failed(tool + " was interrupted");
        } catch (IOException | ExecutionException | TimeoutException e) {
            kill(process);
            return ToolOutput.failed("could not read the output of " + tool + ": " + e);
        }
    }

    /** The executable a command name resolves to, as the shell would find it. */
    static Optional<Path> locate(String tool) {
        if (tool.contains(File.separator)) {
            Path path = Path.of(tool);
            return Files.isRegularFile(path) && Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        String pathVariable = System.getenv("PATH");
        if (pathVariable == null) {
            return Optional.empty();
        }
        boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
        for (String dir : pathVariable.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            for (String name : windows ? List.of(tool, tool + ".exe") : List.of(tool)) {
                Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, PIPE_READERS);
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static String firstLine(String text) {
        String line = text.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("no message");
        return line.length() <= MAX_REASON_CHARS ? line : line.substring(0, MAX_REASON_CHARS) + "…";
    }
}
