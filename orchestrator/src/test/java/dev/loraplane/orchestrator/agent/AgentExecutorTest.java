package dev.loraplane.orchestrator.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loraplane.engine.train.JobSpec;
import dev.loraplane.orchestrator.executor.AcceleratorRequest;
import dev.loraplane.orchestrator.executor.Attempt;
import dev.loraplane.orchestrator.executor.AttemptExit;
import dev.loraplane.orchestrator.executor.AttemptListener;
import dev.loraplane.orchestrator.executor.DevicePool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent executor's bookkeeping without HTTP: devices, hand-over, heartbeats, leases, cancel. */
class AgentExecutorTest {

    @TempDir
    Path dir;

    private AgentExecutor agents;

    @AfterEach
    void close() {
        agents.close();
    }

    private static final class Heard implements AttemptListener {

        final CompletableFuture<AttemptExit> exit = new CompletableFuture<>();

        @Override
        public void line(String line) {
        }

        @Override
        public void exited(AttemptExit e) {
            exit.complete(e);
        }
    }

    private Attempt attempt(String job) throws Exception {
        Path model = Files.createDirectories(dir.resolve("model"));
        Files.writeString(model.resolve("config.json"), "{}");
        Path train = Files.writeString(dir.resolve("train.jsonl"), "{}\n");
        JobSpec spec = new JobSpec(job, model, train, null, dir.resolve("out"), null, null, null, null, "nf4", 64, false, 0);
        return new Attempt(job, "acme", 1, new AcceleratorRequest("apple", 1, null), spec);
    }

    private DevicePool pool() {
        return agents.pools().get(0);
    }

    @Test
    void anAgentsDevicesAreHeldWhileItRunsAnAttemptAndItsInputsAreServedByName() throws Exception {
        agents = new AgentExecutor(dir, 30, 1 << 20);
        String id = agents.register("mac-studio", List.of(new AgentDevice("apple", "Apple M2 Ultra", 1)));
        assertThat(agents.pools()).containsExactly(new DevicePool("agent", id, "apple", "Apple M2 Ultra", 1, 1));

        Heard heard = new Heard();
        agents.start(attempt("ftjob-a"), pool(), heard);
        assertThat(pool().free()).isZero();
        assertThat(agents.isRunning("ftjob-a")).isTrue();
        Assignment work = agents.poll(id).get(1, TimeUnit.SECONDS);
        assertThat(AgentExecutor.describe(work).getJsonObject("inputs").getJsonObject("model").getMap()).containsOnlyKeys("config.json");
        assertThat(agents.input(id, "ftjob-a", 1, "model/config.json")).hasValue(dir.resolve("model/config.json"));
        assertThat(agents.input(id, "ftjob-a", 1, "model/../train.jsonl")).isEmpty();
        assertThat(agents.input(id, "ftjob-a", 1, "training_file")).hasValue(dir.resolve("train.jsonl"));

        agents.exited(id, "ftjob-a", 1, 0, null);
        assertThat(heard.exit.get(1, TimeUnit.SECONDS).code()).isZero();
        assertThat(pool().free()).isOne();
        assertThatThrownBy(() -> agents.exited(id, "ftjob-a", 1, 0, null)).isInstanceOf(UnknownAgentException.class);
    }

    @Test
    void aCancelledAttemptIsWithdrawnIfNotPickedUpElseTheHeartbeatSaysStop() throws Exception {
        agents = new AgentExecutor(dir, 30, 1 << 20);
        String id = agents.register("box", List.of(new AgentDevice("cpu", "Xeon", 2)));
        Heard pending = new Heard();
        agents.start(attempt("ftjob-p"), pool(), pending);
        agents.cancel("ftjob-p");
        assertThat(pending.exit.get(1, TimeUnit.SECONDS).code()).isEqualTo(AttemptExit.STOPPED);

        Heard running = new Heard();
        agents.start(attempt("ftjob-r"), pool(), running);
        agents.poll(id).get(1, TimeUnit.SECONDS);
        agents.cancel("ftjob-r");
        assertThat(agents.heartbeat(id, Set.of("ftjob-r", "ftjob-stale"))).containsExactlyInAnyOrder("ftjob-r", "ftjob-stale");
        assertThat(running.exit).isNotDone();
    }

    @Test
    void aSilentAgentLosesItsAttemptsAndAnUnstartedHandOverIsLost() throws Exception {
        agents = new AgentExecutor(dir, 1, 1 << 20);
        String silent = agents.register("silent", List.of(new AgentDevice("cpu", "Xeon", 1)));
        Heard lost = new Heard();
        agents.start(attempt("ftjob-l"), agents.pools().stream().filter(p -> p.node().equals(silent)).findFirst().orElseThrow(), lost);
        AttemptExit exit = lost.exit.get(5, TimeUnit.SECONDS);
        assertThat(exit.code()).isEqualTo(AttemptExit.LOST);
        assertThat(exit.detail()).contains("silent", "missed its heartbeats for 1 s");
        assertThat(agents.pools()).isEmpty();
        assertThatThrownBy(() -> agents.heartbeat(silent, Set.of())).isInstanceOf(UnknownAgentException.class)
                .hasMessageContaining("register again");

        String alive = agents.register("alive", List.of(new AgentDevice("cpu", "Xeon", 1)));
        Heard dropped = new Heard();
        agents.start(attempt("ftjob-d"), pool(), dropped);
        agents.poll(alive).get(1, TimeUnit.SECONDS);   // handed over, but the agent never got the answer
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!dropped.exit.isDone() && System.nanoTime() < deadline) {
            agents.heartbeat(alive, Set.of());   // alive, running nothing
            Thread.sleep(200);
        }
        assertThat(dropped.exit.get(1, TimeUnit.SECONDS).detail()).contains("does not run it");
        assertThat(pool().free()).isOne();
    }
}
