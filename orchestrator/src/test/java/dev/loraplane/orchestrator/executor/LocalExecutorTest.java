package dev.loraplane.orchestrator.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.engine.accelerator.AcceleratorDevice;
import dev.loraplane.engine.train.JobSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local executor with a shell script for a worker: which devices it hands out, what the worker
 * sees of them, and how it stops one.
 */
class LocalExecutorTest {

    @TempDir
    Path dir;

    private static final List<AcceleratorDevice> GPUS = List.of(
            new AcceleratorDevice("nvidia", 0, "NVIDIA H100 80GB HBM3", 80L << 30, "GPU-a"),
            new AcceleratorDevice("nvidia", 1, "NVIDIA H100 80GB HBM3", 80L << 30, "GPU-b"),
            new AcceleratorDevice("nvidia", 2, "NVIDIA L4", 24L << 30, "GPU-c"));

    /** A worker that prints what it was given, then runs {@code then}. */
    private LocalExecutor executor(String then) {
        List<String> worker = List.of("/bin/sh", "-c", "echo \"{\\\"cuda\\\": \\\"$CUDA_VISIBLE_DEVICES\\\", \\\"accelerator\\\":"
                + " \\\"$LORAPLANE_ACCELERATOR\\\", \\\"args\\\": \\\"$2 $3\\\"}\"; " + then, "worker");
        return new LocalExecutor(new LocalExecutor.Config(worker, 1, GPUS, dir.resolve("jobs"), 1), "Test CPU");
    }

    private static Attempt attempt(String job, String type, int count) {
        JobSpec spec = new JobSpec(job, Path.of("/models/tiny"), Path.of("/data/train.jsonl"), null, Path.of("/out"), null, null,
                null, null, "nf4", 64, false, 0);
        return new Attempt(job, "acme", 1, new AcceleratorRequest(type, count, null), spec);
    }

    private static final class Heard implements AttemptListener {

        final List<String> lines = new CopyOnWriteArrayList<>();
        final CompletableFuture<AttemptExit> exit = new CompletableFuture<>();

        @Override
        public void line(String line) {
            lines.add(line);
        }

        @Override
        public void exited(AttemptExit e) {
            exit.complete(e);
        }
    }

    private static DevicePool pool(LocalExecutor executor, String product) {
        return executor.pools().stream().filter(p -> p.product().equals(product)).findFirst().orElseThrow();
    }

    @Test
    void gpusAreHandedOutByIndexAndComeBackWhenTheWorkerEnds() throws Exception {
        LocalExecutor executor = executor("exit 0");
        assertThat(executor.pools()).extracting(DevicePool::type, DevicePool::product, DevicePool::total, DevicePool::free)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("cpu", "Test CPU", 1, 1),
                        org.assertj.core.groups.Tuple.tuple("nvidia", "NVIDIA H100 80GB HBM3", 2, 2),
                        org.assertj.core.groups.Tuple.tuple("nvidia", "NVIDIA L4", 1, 1));

        Heard h100 = new Heard();
        executor.start(attempt("ftjob-a", "nvidia", 2), pool(executor, "NVIDIA H100 80GB HBM3"), h100);
        Heard l4 = new Heard();
        executor.start(attempt("ftjob-b", "nvidia", 1), pool(executor, "NVIDIA L4"), l4);

        assertThat(h100.exit.get(30, TimeUnit.SECONDS).code()).isZero();
        assertThat(l4.exit.get(30, TimeUnit.SECONDS).code()).isZero();
        assertThat(h100.lines).containsExactly("{\"cuda\": \"0,1\", \"accelerator\": \"nvidia\", \"args\": \""
                + dir.resolve("jobs/ftjob-a/spec.json") + " --exit-with-parent\"}");
        assertThat(l4.lines.get(0)).contains("\"cuda\": \"2\"");
        assertThat(JobSpec.read(dir.resolve("jobs/ftjob-a/spec.json")).trainingFile()).isEqualTo(Path.of("/data/train.jsonl"));
        assertThat(executor.pools()).allSatisfy(p -> assertThat(p.free()).isEqualTo(p.total()));
        assertThat(executor.isRunning("ftjob-a")).isFalse();
    }

    @Test
    void whileAWorkerRunsItsDevicesAreNotFree() throws Exception {
        LocalExecutor executor = executor("exec sleep 30");
        Heard cpu = new Heard();
        executor.start(attempt("ftjob-c", "cpu", 1), pool(executor, "Test CPU"), cpu);

        assertThat(pool(executor, "Test CPU").free()).isZero();
        assertThat(executor.isRunning("ftjob-c")).isTrue();
        executor.cancel("ftjob-c");   // SIGTERM: sh dies of it
        AttemptExit exit = cpu.exit.get(30, TimeUnit.SECONDS);
        assertThat(exit.code()).isEqualTo(AttemptExit.STOPPED);
        assertThat(exit.detail()).contains("worker-1.log");
        assertThat(pool(executor, "Test CPU").free()).isOne();
    }

    @Test
    void aWorkerThatIgnoresSigtermIsKilledAfterTheGracePeriod() throws Exception {
        LocalExecutor executor = executor("trap '' TERM; sleep 30 & wait; sleep 30");
        Heard stubborn = new Heard();
        executor.start(attempt("ftjob-d", "cpu", 1), pool(executor, "Test CPU"), stubborn);
        Thread.sleep(300);   // let the shell install its trap
        long start = System.nanoTime();
        executor.cancel("ftjob-d");

        assertThat(stubborn.exit.get(30, TimeUnit.SECONDS).code()).as("SIGKILL after the 1 s grace").isEqualTo(137);
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(10);
    }
}
