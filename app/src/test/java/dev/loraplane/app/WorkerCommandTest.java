package dev.loraplane.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loraplane.engine.accelerator.Accelerators;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code loraplane worker} as the control plane drives it: a spec in, JSON lines out, an adapter on disk. */
class WorkerCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    @BeforeAll
    static void model() throws Exception {
        TinyModel.write(Preset.TINY, dir.resolve("tiny"), 0);
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 24; i++) {
            lines.append("{\"messages\": [{\"role\": \"user\", \"content\": \"Code for item ").append(i)
                    .append("?\"}, {\"role\": \"assistant\", \"content\": \"C-").append(i * 7 % 23).append("\"}]}\n");
        }
        Files.writeString(dir.resolve("train.jsonl"), lines);
    }

    private static Path spec(String name, String extra) throws Exception {
        String json = """
                {"job_id": "ftjob-%s", "base_model": "%s", "training_file": "%s", "output_dir": "%s",
                 "checkpoint_dir": "%s", "hyperparameters": {"n_epochs": 3, "batch_size": 2, "learning_rate": 0.003,
                 "checkpoint_every": 2, "seed": 5}, "lora": {"r": 8, "alpha": 16, "target_modules": ["q_proj", "v_proj"]},
                 "max_seq_len": 128%s}
                """.formatted(name, dir.resolve("tiny"), dir.resolve("train.jsonl"), dir.resolve(name + "-adapter"),
                dir.resolve(name + "-checkpoints"), extra);
        return Files.writeString(dir.resolve(name + ".json"), json);
    }

    private static List<JsonNode> lines(String out) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    private static int run(StringWriter out, String... args) {
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        return cli.execute(args);
    }

    @Test
    void aJobRunsToAnAdapterWithAnEventPerLine() throws Exception {
        StringWriter out = new StringWriter();
        assertThat(run(out, "worker", "--spec", spec("ok", "").toString())).as(out.toString()).isZero();
        List<JsonNode> events = lines(out.toString());
        assertThat(events.get(0).get("type").asText()).isEqualTo("started");
        assertThat(events.get(0).get("train").get("examples").asInt()).isEqualTo(24);
        assertThat(events.stream().filter(e -> e.get("type").asText().equals("progress")).count())
                .isEqualTo(events.get(0).get("total_steps").asLong());
        assertThat(events).anySatisfy(e -> assertThat(e.get("type").asText()).isEqualTo("checkpoint"));
        JsonNode progress = events.stream().filter(e -> e.get("type").asText().equals("progress")).findFirst().orElseThrow();
        for (String field : new String[] {"step", "total_steps", "epoch", "loss", "learning_rate", "tokens_per_second", "eta_seconds"}) {
            assertThat(progress.has(field)).as(field).isTrue();
        }
        JsonNode completed = events.get(events.size() - 1);
        assertThat(completed.get("type").asText()).as("nothing follows the end, not even a reading").isEqualTo("completed");
        JsonNode telemetry = events.stream().filter(e -> e.get("type").asText().equals("telemetry")).findFirst()
                .orElseThrow(() -> new AssertionError("no telemetry line in " + out));
        assertThat(telemetry.get("host").asText()).isNotBlank();
        JsonNode cpu = telemetry.get("devices").get(0);
        assertThat(cpu.get("vendor").asText()).as("no LORAPLANE_ACCELERATOR: the cpu plugin reads").isEqualTo("cpu");
        assertThat(cpu.get("index").asInt()).isZero();
        assertThat(cpu.get("memory_total_bytes").asLong()).isEqualTo(Accelerators.plugin("cpu").orElseThrow().detect().devices()
                .get(0).memoryTotalBytes());
        Path adapter = Path.of(completed.get("adapter").asText());
        assertThat(adapter).isEqualTo(dir.resolve("ok-adapter"));
        assertThat(adapter.resolve("adapter_config.json")).exists();
        assertThat(completed.get("sha256").asText()).hasSize(64);
        assertThat(Files.list(dir).map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("partial"));

        // The adapter loads in the engine, through the generate command.
        StringWriter generated = new StringWriter();
        assertThat(run(generated, "model", "generate", "--model", dir.resolve("tiny").toString(), "--adapter",
                adapter.toString(), "--chat", "Code for item 3?", "--max-tokens", "6", "--json")).isZero();
        assertThat(JSON.readTree(generated.toString()).get("token_ids").size()).isPositive();
    }

    @Test
    void aBadTrainingFileIsOneErrorLineNamingTheLines() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.jsonl"),
                "{\"messages\": [{\"role\": \"assitant\", \"content\": \"x\"}]}\nnot json\n");
        Path spec = Files.writeString(dir.resolve("bad.json"), Files.readString(spec("bad", ""))
                .replace(dir.resolve("train.jsonl").toString(), bad.toString()));
        StringWriter out = new StringWriter();
        assertThat(run(out, "worker", "--spec", spec.toString())).isEqualTo(1);
        List<JsonNode> events = lines(out.toString());
        assertThat(events).hasSize(1);
        assertThat(events.get(0).get("type").asText()).isEqualTo("error");
        assertThat(events.get(0).get("code").asText()).isEqualTo("invalid_training_file");
        assertThat(events.get(0).get("message").asText()).contains("line 1", "assitant", "line 2");
        assertThat(dir.resolve("bad-adapter")).doesNotExist();

        StringWriter noSpec = new StringWriter();
        Path incomplete = Files.writeString(dir.resolve("incomplete.json"), "{\"job_id\": \"x\"}");
        assertThat(run(noSpec, "worker", "--spec", incomplete.toString())).isEqualTo(1);
        assertThat(lines(noSpec.toString()).get(0).get("code").asText()).isEqualTo("invalid_spec");
    }

    @Test
    void sigtermCheckpointsAndAResumedJobFinishes() throws Exception {
        Path spec = spec("term", "");
        Process worker = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true", Main.class.getName(),
                "worker", "--spec", spec.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<JsonNode> events = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(worker.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                JsonNode event = JSON.readTree(line);
                events.add(event);
                if (event.get("type").asText().equals("progress") && event.get("step").asInt() == 1) {
                    worker.toHandle().destroy();   // SIGTERM, leaving our end of the pipes open
                }
            }
        }
        assertThat(worker.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(worker.exitValue()).isEqualTo(143);
        JsonNode stopped = events.get(events.size() - 1);
        assertThat(stopped.get("type").asText()).isEqualTo("stopped");
        Path checkpoint = Path.of(stopped.get("checkpoint").asText());
        assertThat(checkpoint.resolve("optimizer.safetensors")).exists();
        assertThat(dir.resolve("term-adapter")).doesNotExist();

        StringWriter out = new StringWriter();
        Path resume = Files.writeString(dir.resolve("resume.json"), Files.readString(spec("term", ""))
                .replace("\"max_seq_len\": 128", "\"max_seq_len\": 128, \"resume_from\": \"" + checkpoint + "\""));
        assertThat(run(out, "worker", "--spec", resume.toString())).as(out.toString()).isZero();
        List<JsonNode> resumed = lines(out.toString());
        assertThat(resumed.get(0).get("step").asInt()).isEqualTo(stopped.get("step").asInt());
        assertThat(resumed.get(resumed.size() - 1).get("type").asText()).isEqualTo("completed");
    }
}
