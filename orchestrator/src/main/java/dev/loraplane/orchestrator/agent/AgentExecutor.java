package dev.loraplane.orchestrator.agent;

import dev.loraplane.engine.Zips;
import dev.loraplane.orchestrator.executor.Attempt;
import dev.loraplane.orchestrator.executor.AttemptExit;
import dev.loraplane.orchestrator.executor.AttemptListener;
import dev.loraplane.orchestrator.executor.DevicePool;
import dev.loraplane.orchestrator.executor.Executor;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs attempts on remote machines that run {@code loraplane agent}: an agent registers its devices,
 * long-polls for work, downloads the job's inputs, runs the worker, sends its lines back, uploads
 * checkpoints and the adapter, and heartbeats. An agent not heard of for {@code timeoutSeconds}
 * loses its attempts, which the runner retries like a crashed worker. The HTTP side is
 * {@code AgentsApi}; this class holds the state and does no HTTP itself.
 */
public final class AgentExecutor implements Executor, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AgentExecutor.class);

    private final Path dataDir;
    private final long timeoutMillis;
    private final long maxUploadBytes;
    private final Map<String, AgentSession> agents = new ConcurrentHashMap<>();
    private final ScheduledExecutorService leases = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "agent-leases");
        t.setDaemon(true);
        return t;
    });
    private volatile Runnable capacityChanged = () -> { };

    /**
     * @param dataDir uploaded adapters go to {@code dataDir/adapters/<job>}, checkpoints to
     *     {@code dataDir/jobs/<job>/checkpoints}, where the runner looks for them
     * @param timeoutSeconds how long an agent may stay silent before it loses its attempts
     */
    public AgentExecutor(Path dataDir, long timeoutSeconds, long maxUploadBytes) {
        this.dataDir = dataDir;
        this.timeoutMillis = timeoutSeconds * 1000;
        this.maxUploadBytes = maxUploadBytes;
        long period = Math.max(200, timeoutMillis / 4);
        leases.scheduleAtFixedRate(this::expire, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onCapacityChange(Runnable wake) {
        this.capacityChanged = wake;
    }

    /** How often agents should heartbeat: a third of the timeout. */
    public long heartbeatSeconds() {
        return Math.max(1, timeoutMillis / 3000);
    }

    @Override
    public String name() {
        return "agent";
    }

    // ---- the agent's side -----------------------------------------------------------------------

    /** A new agent with these devices; returns its id. */
    public String register(String name, List<AgentDevice> devices) {
        String id = "agent-" + UUID.randomUUID().toString().substring(0, 8);
        agents.put(id, new AgentSession(id, name, devices, System.currentTimeMillis()));
        LOG.info("agent {} ({}) joined with {}", name, id, devices);
        capacityChanged.run();
        return id;
    }

    /**
     * The agent is alive and runs (or prepares) {@code running}; returns the jobs it should stop: those
     * cancelled, and those it runs that are no longer its attempts (the job was retried elsewhere).
     * An attempt handed over longer than the timeout ago that it does not run is lost.
     */
    public Set<String> heartbeat(String agentId, Set<String> running) {
        AgentSession agent = session(agentId);
        long now = System.currentTimeMillis();
        agent.lastSeenMillis = now;
        for (Assignment a : List.copyOf(agent.attempts.values())) {
            Long handedOver = agent.delivered.get(a.jobId());
            if (handedOver != null && now - handedOver > timeoutMillis && !running.contains(a.jobId())
                    && agent.attempts.remove(a.jobId(), a)) {
                agent.delivered.remove(a.jobId());
                a.listener().exited(new AttemptExit(AttemptExit.LOST, "agent " + agent.describe() + " was handed the attempt "
                        + timeoutMillis / 1000 + " s ago and does not run it (the answer to its poll was lost)"));
            }
        }
        return running.stream().filter(job -> agent.stopping.contains(job) || !agent.attempts.containsKey(job))
                .collect(Collectors.toUnmodifiableSet());
    }

    /** The next attempt for this agent, or null when none comes before the poll is given up. */
    public CompletableFuture<Assignment> poll(String agentId) {
        AgentSession agent = session(agentId);
        agent.lastSeenMillis = System.currentTimeMillis();
        return agent.poll();
    }

    /** The assignment as the agent reads it: the job spec, with its inputs named for download. */
    public static JsonObject describe(Assignment a) {
        Attempt attempt = a.attempt();
        JsonObject inputs = new JsonObject().put("model", files(attempt.spec().baseModel()))
                .put("training_file", attempt.spec().trainingFile().toFile().length());
        if (attempt.spec().validationFile() != null) {
            inputs.put("validation_file", attempt.spec().validationFile().toFile().length());
        }
        if (attempt.spec().resumeFrom() != null) {
            inputs.put("checkpoint", files(attempt.spec().resumeFrom()));
        }
        return new JsonObject().put("job_id", attempt.jobId()).put("attempt", attempt.number())
                .put("accelerator", new JsonObject().put("type", a.pool().type()).put("product", a.pool().product())
                        .put("count", attempt.accelerator().count()))
                .put("model_name", attempt.spec().baseModel().getFileName().toString())
                .put("spec", new JsonObject(attempt.spec().toJson())).put("inputs", inputs);
    }

    private static JsonObject files(Path dir) {
        JsonObject files = new JsonObject();
        try (var list = Files.list(dir)) {
            list.filter(Files::isRegularFile).sorted().forEach(f -> files.put(f.getFileName().toString(), f.toFile().length()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return files;
    }

    /**
     * The file behind an input name of the agent's attempt: {@code training_file}, {@code validation_file},
     * {@code model/<file>}, {@code checkpoint/<file>}; empty for anything else.
     */
    public Optional<Path> input(String agentId, String jobId, int number, String name) {
        Attempt attempt = assignment(agentId, jobId, number).attempt();
        Path path = switch (name) {
            case "training_file" -> attempt.spec().trainingFile();
            case "validation_file" -> attempt.spec().validationFile();
            default -> {
                int slash = name.indexOf('/');
                String file = slash < 0 ? "" : name.substring(slash + 1);
                Path dir = name.startsWith("model/") ? attempt.spec().baseModel()
                        : name.startsWith("checkpoint/") ? attempt.spec().resumeFrom() : null;
                yield dir == null || file.isEmpty() || file.contains("/") || file.contains("\\") || file.startsWith(".")
                        ? null : dir.resolve(file);
            }
        };
        return Optional.ofNullable(path).filter(Files::isRegularFile);
    }

    /** Lines the agent's worker printed, in order; a completed line names the uploaded adapter. */
    public void lines(String agentId, String jobId, int number, List<String> lines) {
        Assignment a = assignment(agentId, jobId, number);
        for (String text : lines) {
            JsonObject line = new JsonObject(text);
            if ("completed".equals(line.getString("type"))) {
                Path adapter = adapterDir(jobId);
                if (!Files.isDirectory(adapter)) {
                    throw new IllegalStateException("the attempt completed but its adapter was not uploaded first");
                }
                line.put("adapter", adapter.toString());
            }
            a.listener().line(line.encode());
        }
    }

    /** Stores the finished adapter (a zip of its PEFT files) where the runner registers it from. */
    public void adapter(String agentId, String jobId, int number, InputStream zip) throws IOException {
        assignment(agentId, jobId, number);
        Path target = adapterDir(jobId);
        if (Files.exists(target)) {
            throw new IllegalStateException("job " + jobId + " already has an adapter");
        }
        Zips.unzip(zip, target, maxUploadBytes);
    }

    /** Stores a checkpoint, so a later attempt, here or on any machine, resumes from it. */
    public void checkpoint(String agentId, String jobId, int number, int step, InputStream zip) throws IOException {
        assignment(agentId, jobId, number);
        Path target = dataDir.resolve("jobs").resolve(jobId).resolve("checkpoints").resolve("checkpoint-" + step);
        if (!Files.exists(target)) {
            Zips.unzip(zip, target, maxUploadBytes);
        }
    }

    /** The worker ended with {@code code}. */
    public void exited(String agentId, String jobId, int number, int code, String detail) {
        AgentSession agent = session(agentId);
        Assignment a = assignment(agentId, jobId, number);
        agent.attempts.remove(jobId, a);
        agent.stopping.remove(jobId);
        agent.delivered.remove(jobId);
        a.listener().exited(new AttemptExit(code, "on agent " + agent.describe() + (detail == null ? "" : ": " + detail)));
    }

    private Path adapterDir(String jobId) {
        return dataDir.resolve("adapters").resolve(jobId);
    }

    private AgentSession session(String agentId) {
        AgentSession agent = agents.get(agentId);
        if (agent == null) {
            throw new UnknownAgentException(agentId);
        }
        return agent;
    }

    private Assignment assignment(String agentId, String jobId, int number) {
        Assignment a = session(agentId).attempts.get(jobId);
        if (a == null || a.attempt().number() != number) {
            throw new UnknownAgentException(agentId + " attempt " + jobId + "/" + number);
        }
        return a;
    }

    // ---- the scheduler's side -------------------------------------------------------------------

    @Override
    public List<DevicePool> pools() {
        List<DevicePool> pools = new ArrayList<>();
        for (AgentSession agent : agents.values()) {
            for (AgentDevice d : agent.devices) {
                int held = agent.attempts.values().stream()
                        .filter(a -> a.pool().type().equals(d.type()) && a.pool().product().equals(d.product()))
                        .mapToInt(a -> a.attempt().accelerator().count()).sum();
                pools.add(new DevicePool(name(), agent.id, d.type(), d.product(), d.count(), d.count() - held));
            }
        }
        return pools;
    }

    @Override
    public void start(Attempt attempt, DevicePool pool, AttemptListener listener) {
        AgentSession agent = session(pool.node());
        Assignment a = new Assignment(attempt, pool, listener);
        agent.attempts.put(attempt.jobId(), a);
        agent.offer(a);
    }

    @Override
    public boolean isRunning(String jobId) {
        return agents.values().stream().anyMatch(a -> a.attempts.containsKey(jobId));
    }

    @Override
    public void cancel(String jobId) {
        for (AgentSession agent : agents.values()) {
            Assignment a = agent.attempts.get(jobId);
            if (a == null) {
                continue;
            }
            if (agent.withdraw(jobId)) {
                agent.attempts.remove(jobId);
                a.listener().exited(new AttemptExit(AttemptExit.STOPPED, "stopped before agent " + agent.describe() + " picked it up"));
            } else {
                agent.stopping.add(jobId);   // its next heartbeat tells it to stop the worker
            }
        }
    }

    @Override
    public void stopAll() {
        agents.values().forEach(agent -> agent.stopping.addAll(agent.attempts.keySet()));
    }

    /** Drops agents not heard of for the timeout; their attempts are lost. */
    private void expire() {
        long now = System.currentTimeMillis();
        for (AgentSession agent : agents.values()) {
            if (now - agent.lastSeenMillis <= timeoutMillis || !agents.remove(agent.id, agent)) {
                continue;
            }
            LOG.warn("agent {} missed its heartbeats for {} s; its {} attempt(s) are lost", agent.describe(), timeoutMillis / 1000,
                    agent.attempts.size());
            agent.close();
            for (Assignment a : agent.attempts.values()) {
                a.listener().exited(new AttemptExit(AttemptExit.LOST, "agent " + agent.describe() + " missed its heartbeats for "
                        + timeoutMillis / 1000 + " s"));
            }
            capacityChanged.run();
        }
    }

    @Override
    public void close() {
        leases.shutdownNow();
    }
}
