package dev.loraplane.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loraplane.engine.lora.LoraException;
import dev.loraplane.engine.model.ModelLoadException;
import dev.loraplane.engine.train.JobSpec;
import dev.loraplane.engine.train.TrainingEvent;
import dev.loraplane.engine.train.TrainingException;
import dev.loraplane.engine.train.TrainingJob;
import dev.loraplane.datasets.DatasetException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "worker", mixinStandardHelpOptions = true,
        description = {
            "Run one training job from a job spec, as the control plane does.",
            "",
            "Prints one JSON object per line for every event: started, progress, eval, checkpoint, telemetry (the",
            "devices' readings, every --telemetry-seconds), then completed (exit 0) or error with a code (exit 1).",
            "The adapter appears in output_dir whole or not at all. SIGTERM writes a checkpoint, prints {\"type\":\"stopped\"} and exits promptly."
        })
final class WorkerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--spec", required = true, paramLabel = "FILE", description = "the job spec (JSON)")
    Path specFile;

    @Option(names = "--exit-with-parent",
            description = "checkpoint and stop when the process that started this one dies (the local executor sets it)")
    boolean exitWithParent;

    @Option(names = "--telemetry-seconds", paramLabel = "SECONDS", defaultValue = "5",
            description = "print a telemetry line with the devices' readings this often; 0 for none (default: ${DEFAULT-VALUE})")
    double telemetrySeconds;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch finished = new CountDownLatch(1);
        TrainingJob job;
        try {
            job = new TrainingJob(JobSpec.read(specFile));
        } catch (IllegalArgumentException e) {
            print(out, EventJson.error("invalid_spec", e.getMessage()));
            return CliErrors.FAILED;
        }
        Thread onSigterm = new Thread(() -> {
            job.requestStop();
            try {
                finished.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "loraplane-worker-stop");
        Runtime.getRuntime().addShutdownHook(onSigterm);
        if (exitWithParent) {
            ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(job::requestStop));
        }
        WorkerTelemetry telemetry = new WorkerTelemetry(System.getenv(), Duration.ofMillis(Math.round(telemetrySeconds * 1000)),
                line -> print(out, line));
        try {
            Object result;
            try {
                result = job.run(event -> {
                    if (!(event instanceof TrainingEvent.Completed)) {
                        print(out, EventJson.of(event));
                    }
                    if (event instanceof TrainingEvent.Started) {
                        telemetry.start();
                    }
                });
            } finally {
                telemetry.close();
            }
            if (result instanceof TrainingJob.Stopped stopped) {
                ObjectNode line = EventJson.JSON.valueToTree(stopped);
                line.put("type", "stopped");
                print(out, line);
                return 143;
            }
            ObjectNode line = EventJson.JSON.valueToTree(result);
            line.put("type", "completed");
            print(out, line);
            return 0;
        } catch (TrainingException e) {
            print(out, EventJson.error(e.code(), e.getMessage()));
            return CliErrors.FAILED;
        } catch (ModelLoadException e) {
            print(out, EventJson.error("invalid_base_model", e.getMessage()));
            return CliErrors.FAILED;
        } catch (LoraException e) {
            print(out, EventJson.error("invalid_adapter", e.getMessage()));
            return CliErrors.FAILED;
        } catch (DatasetException e) {
            print(out, EventJson.error("invalid_training_file", e.getMessage()));
            return CliErrors.FAILED;
        } catch (RuntimeException e) {
            print(out, EventJson.error("internal_error", e.toString()));
            return CliErrors.FAILED;
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onSigterm);
            } catch (IllegalStateException shuttingDown) {
                // SIGTERM arrived: the hook is waiting for the latch released above.
            }
        }
    }

    private static void print(PrintWriter out, ObjectNode line) {
        out.println(line.toString());
        out.flush();
    }
}
