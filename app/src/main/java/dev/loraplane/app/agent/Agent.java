package dev.loraplane.app.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loraplane.engine.accelerator.AcceleratorPlugin;
import dev.loraplane.engine.accelerator.Accelerators;
import dev.loraplane.engine.Zips;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A machine that runs training attempts for a remote control plane: registers its devices, long-polls
 * for work, downloads the base model (kept between jobs), the training files and the checkpoint to
 * resume from, runs {@code loraplane worker} as a child process, sends its lines back, uploads every
 * checkpoint and the finished adapter, and heartbeats, with its devices' readings while no worker runs
 * (a worker's telemetry lines carry them then). A heartbeat answers which workers to stop
 * (cancelled jobs); an agent the control plane no longer knows registers again and stops its workers,
 * whose jobs the control plane has already put back in the queue.
 */
public final class Agent {

    /** What one agent offers and where it works. */
    public record Config(String name, List<Map<String, Object>> devices, Path workDir, List<String> workerCommand,
            long graceSeconds) {}

    /** Device readings as the control plane reads them: snake_case {@code DeviceTelemetry}. */
    private static final ObjectMapper READINGS = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    private static final String HOST = hostName();

    private final AgentLink link;
    /** One plugin per device type for the agent's life: the cpu plugin measures utilization since its previous reading. */
    private final Map<String, Optional<AcceleratorPlugin>> plugins = new ConcurrentHashMap<>();
    private final Config config;
    private final PrintWriter out;
    private final Map<String, Process> workers = new ConcurrentHashMap<>();
    /** Attempts from the moment they are picked up (inputs still downloading) until their exit is reported. */
    private final Set<String> attempts = ConcurrentHashMap.newKeySet();
    private volatile String id;
    private volatile boolean stopped;

    public Agent(String server, String token, Config config, PrintWriter out) {
        this.link = new AgentLink(server, token);
        this.config = config;
        this.out = out;
    }

    /** Runs until {@link #stop()}: polls for work and starts each attempt on its own thread. */
    public void run() throws InterruptedException {
        long heartbeat = register();
        Thread beats = new Thread(() -> heartbeats(heartbeat), "agent-heartbeat");
        beats.setDaemon(true);
        beats.start();
        while (!stopped) {
            try {
                link.poll("/agents/" + id + "/work", 30).ifPresent(work -> {
                    Thread attempt = new Thread(() -> attempt(id, work), "attempt-" + work.get("job_id").asText());
                    attempt.setDaemon(true);
                    attempt.start();
                });
            } catch (AgentLink.Refused e) {
                if (e.status == 404) {
                    say("the control plane no longer knows this agent; registering again");
                    stopWorkers();
                    register();
                } else {
                    throw e;
                }
            } catch (UncheckedIOException e) {
                say("cannot reach the control plane (" + e.getMessage() + "); trying again in 5 s");
                TimeUnit.SECONDS.sleep(5);
            }
        }
    }

    /** Stops polling and asks every worker to checkpoint and stop. */
    public void stop() {
        stopped = true;
        stopWorkers();
    }

    private long register() {
        ObjectNode body = AgentLink.JSON.createObjectNode().put("name", config.name());
        body.set("devices", AgentLink.JSON.valueToTree(config.devices()));
        JsonNode answer = link.post("/agents", body);
        id = answer.get("id").asText();
        say("registered as " + id + " with " + config.devices());
        return answer.get("heartbeat_seconds").asLong();
    }

    private void heartbeats(long seconds) {
        while (!stopped) {
            try {
                TimeUnit.SECONDS.sleep(seconds);
                ObjectNode body = AgentLink.JSON.createObjectNode();
                body.set("running", AgentLink.JSON.valueToTree(List.copyOf(attempts)));
                if (attempts.isEmpty()) {
                    readings(body);   // a running worker reports its devices itself, under its job
                }
                for (JsonNode job : link.post("/agents/" + id + "/heartbeat", body).path("stop")) {
                    say(job.asText() + ": stopping its worker, as the control plane asks");
                    stopWorker(job.asText());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                say("heartbeat failed: " + e.getMessage());   // the poll loop re-registers when the agent is unknown
            }
        }
    }

    /** Adds this machine's host name and its devices' current readings, for the control plane's device series. */
    private void readings(ObjectNode body) {
        ArrayNode devices = body.putArray("devices");
        for (Object type : config.devices().stream().map(d -> d.get("type")).distinct().toList()) {
            plugins.computeIfAbsent(String.valueOf(type), Accelerators::plugin).ifPresent(plugin -> {
                try {
                    plugin.sample().forEach(reading -> devices.add(READINGS.valueToTree(reading)));
                } catch (RuntimeException e) {
                    say("cannot read the " + type + " devices: " + e.getMessage());
                }
            });
        }
        body.put("host", HOST);
    }

    /** Runs one attempt to its end and reports it; any failure to do so is reported as the exit. */
    private void attempt(String agentId, JsonNode work) {
        String job = work.get("job_id").asText();
        int number = work.get("attempt").asInt();
        String prefix = "/agents/" + agentId + "/attempts/" + job + "/" + number;
        Path dir = config.workDir().resolve("jobs").resolve(job).resolve("attempt-" + number);
        Path log = dir.resolve("worker.log");
        say(job + ": attempt " + number + " on " + work.get("accelerator"));
        attempts.add(job);
        int code;
        String detail;
        try {
            Path spec = prepare(work, prefix, dir);
            code = runWorker(job, spec, log, prefix, work.path("accelerator").path("type").asText("cpu"));
            detail = "its log on the agent is " + log;
        } catch (RuntimeException | IOException e) {
            code = 1;
            detail = "the agent could not run it: " + e.getMessage();
            say(job + ": " + detail);
        }
        try {
            link.post(prefix + "/exit", AgentLink.JSON.createObjectNode().put("code", code).put("detail", detail));
        } catch (RuntimeException e) {
            say(job + ": could not report the exit: " + e.getMessage());
        } finally {
            attempts.remove(job);
        }
        say(job + ": attempt " + number + " ended with code " + code);
    }

    /** Downloads what the attempt needs and writes its spec with this machine's paths. */
    private Path prepare(JsonNode work, String prefix, Path dir) throws IOException {
        JsonNode inputs = work.get("inputs");
        Path model = config.workDir().resolve("models").resolve(work.get("model_name").asText());
        for (Iterator<Map.Entry<String, JsonNode>> files = inputs.get("model").fields(); files.hasNext(); ) {
            Map.Entry<String, JsonNode> file = files.next();
            Path local = model.resolve(file.getKey());
            if (!Files.exists(local) || Files.size(local) != file.getValue().asLong()) {
                link.download(prefix + "/inputs/model/" + file.getKey(), local);
            }
        }
        ObjectNode spec = ((ObjectNode) work.get("spec")).deepCopy();
        spec.put("base_model", model.toString());
        link.download(prefix + "/inputs/training_file", dir.resolve("train.jsonl"));
        spec.put("training_file", dir.resolve("train.jsonl").toString());
        if (inputs.has("validation_file")) {
            link.download(prefix + "/inputs/validation_file", dir.resolve("validation.jsonl"));
            spec.put("validation_file", dir.resolve("validation.jsonl").toString());
        }
        spec.putNull("resume_from");
        if (inputs.has("checkpoint")) {
            Path resume = dir.resolve("resume");
            for (Iterator<String> files = inputs.get("checkpoint").fieldNames(); files.hasNext(); ) {
                String file = files.next();
                link.download(prefix + "/inputs/checkpoint/" + file, resume.resolve(file));
            }
            spec.put("resume_from", resume.toString());
        }
        spec.put("output_dir", dir.resolve("adapter").toString());
        spec.put("checkpoint_dir", dir.resolve("checkpoints").toString());
        Path file = dir.resolve("spec.json");
        Files.writeString(file, spec.toString());
        return file;
    }

    /** Runs the worker on this machine's {@code accelerator} devices, which its telemetry lines report on. */
    private int runWorker(String job, Path spec, Path log, String prefix, String accelerator) throws IOException {
        List<String> command = new ArrayList<>(config.workerCommand());
        command.addAll(List.of("--spec", spec.toString(), "--exit-with-parent"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(log.toFile());
        builder.environment().put("LORAPLANE_ACCELERATOR", accelerator);
        Process process = builder.start();
        workers.put(job, process);
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                forward(prefix, line);
            }
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return 1;
        } finally {
            workers.remove(job);
        }
    }

    /** Sends one worker line; a checkpoint or the adapter goes up before the line that announces it. */
    private void forward(String prefix, String line) {
        JsonNode node;
        try {
            node = AgentLink.JSON.readTree(line);
        } catch (IOException e) {
            return;   // not a protocol line
        }
        switch (node.path("type").asText()) {
            case "checkpoint" -> link.put(prefix + "/checkpoints/" + node.get("step").asInt(), Zips.zip(Path.of(node.get("path").asText())));
            case "completed" -> link.put(prefix + "/adapter", Zips.zip(Path.of(node.get("adapter").asText())));
            default -> { }
        }
        link.postLines(prefix + "/events", line + "\n");
    }

    private void stopWorker(String job) {
        Process process = workers.get(job);
        if (process != null) {
            process.toHandle().destroy();   // SIGTERM: the worker checkpoints and stops
            process.onExit().orTimeout(config.graceSeconds(), TimeUnit.SECONDS).exceptionally(late -> {
                process.destroyForcibly();
                return process;
            });
        }
    }

    private void stopWorkers() {
        List.copyOf(workers.keySet()).forEach(this::stopWorker);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    private void say(String message) {
        synchronized (out) {
            out.println(message);
            out.flush();
        }
    }
}
