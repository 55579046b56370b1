package dev.loraplane.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import dev.loraplane.orchestrator.ControlPlane;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code loraplane files} and {@code loraplane jobs} against a running control plane. */
class ClientCommandsTest {

    @TempDir
    Path dir;

    Vertx vertx = Vertx.vertx();
    String server;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeEach
    void up() throws Exception {
        Path tiny = dir.resolve("models/loraplane-tiny");
        TinyModel.write(Preset.TINY, tiny, 0);
        ControlPlane plane = ControlPlane.start(vertx, UpCommand.config(UpCommandTest.laptopOnAnyPort(), dir, tiny, List::of))
                .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        server = "http://127.0.0.1:" + plane.port() + "/v1";
    }

    @AfterEach
    void down() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String[] withServer = new String[args.length + 2];
        System.arraycopy(args, 0, withServer, 0, args.length);
        withServer[args.length] = "--server";
        withServer[args.length + 1] = server;
        return cli.execute(withServer);
    }

    @Test
    void uploadCreateFollowAndCancelFromTheCommandLine() throws Exception {
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            jsonl.append("{\"prompt\": \"Say ").append(i).append("\", \"completion\": \"").append(i).append("\"}\n");
        }
        Path train = Files.writeString(dir.resolve("say.jsonl"), jsonl);
        assertThat(run("files", "upload", train.toString())).as(err.toString()).isZero();
        String file = out.toString().split("\\s+")[0];
        assertThat(file).startsWith("file-");
        assertThat(run("files", "list")).isZero();
        assertThat(out.toString()).contains(file, "say.jsonl");

        assertThat(run("jobs", "create", "--model", "loraplane-tiny", "--training-file", file, "--epochs", "2", "--suffix", "cli"))
                .as(err.toString()).isZero();
        String job = out.toString().split("\\s+")[0];
        assertThat(job).startsWith("ftjob-");
        assertThat(run("jobs", "follow", job)).as(out + " " + err).isZero();
        assertThat(out.toString()).contains("Created fine-tuning job", "successfully completed", "succeeded", "ft:loraplane-tiny:cli:");
        assertThat(run("jobs", "list")).isZero();
        assertThat(out.toString()).contains(job, "succeeded");

        assertThat(run("jobs", "create", "--model", "loraplane-tiny", "--training-file", file, "--epochs", "50")).isZero();
        String second = out.toString().split("\\s+")[0];
        assertThat(run("jobs", "cancel", second)).isZero();
        assertThat(out.toString()).contains("cancelled");
        assertThat(run("jobs", "follow", second)).isEqualTo(1);
        assertThat(run("jobs", "get", second)).isZero();
        assertThat(out.toString()).contains("\"status\" : \"cancelled\"");
    }

    @Test
    void refusalsAreOneLineNamingTheField() {
        assertThat(run("jobs", "create", "--model", "gpt-9", "--training-file", "file-x")).isEqualTo(1);
        assertThat(err.toString()).contains("model 'gpt-9' is not a base model", "(model)").doesNotContain("Exception");
        assertThat(run("files", "upload", dir.resolve("missing.jsonl").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("missing.jsonl");
        server = "http://127.0.0.1:1/v1";
        assertThat(run("jobs", "list")).isEqualTo(1);
        assertThat(err.toString()).contains("cannot reach the control plane", "loraplane up");
    }
}
