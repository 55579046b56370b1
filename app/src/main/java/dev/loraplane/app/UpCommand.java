package dev.loraplane.app;

import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import dev.loraplane.orchestrator.ControlPlane;
import dev.loraplane.orchestrator.cost.PriceTable;
import dev.loraplane.orchestrator.executor.LocalExecutor;
import dev.loraplane.orchestrator.jobs.BaseModel;
import dev.loraplane.orchestrator.jobs.Quotas;
import dev.loraplane.orchestrator.jobs.RetryPolicy;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = {
            "Start the control plane on embedded defaults.",
            "",
            "The OpenAI-style fine-tuning API on 127.0.0.1, an H2 database and the artifacts under the data",
            "directory, the local executor, and the built-in base model loraplane-tiny (written on first start)."
        })
final class UpCommand implements Callable<Integer> {

    static final String TINY = "loraplane-tiny";

    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "8080", description = "the API's port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "where data lives (default: $LORAPLANE_HOME or ~/.loraplane)")
    Path dataDir;

    @Option(names = "--slots", defaultValue = "1", description = "training jobs run at once on this machine (default: ${DEFAULT-VALUE})")
    int slots;

    @Override
    public Integer call() throws Exception {
        Home home = dataDir != null ? Home.of(dataDir) : Home.fromEnvironment(System.getenv());
        Path tiny = home.models().resolve(TINY);
        PrintWriter out = spec.commandLine().getOut();
        if (!Files.exists(tiny.resolve("config.json"))) {
            out.println("writing the built-in base model " + TINY + " to " + tiny);
            TinyModel.write(Preset.TINY, tiny, 0);
        }
        Vertx vertx = Vertx.vertx();
        ControlPlane plane = ControlPlane.start(vertx, config(home.root(), "127.0.0.1", port, tiny, slots))
                .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        String url = "http://127.0.0.1:" + plane.port();
        out.println("loraplane is up: " + url + "/v1  (data in " + home.root() + ")");
        out.println("no API keys are configured, so it listens on 127.0.0.1 only, for one local tenant");
        out.println();
        out.println("  curl " + url + "/v1/files -F purpose=fine-tune -F file=@train.jsonl");
        out.println("  curl " + url + "/v1/fine_tuning/jobs -H 'Content-Type: application/json' \\");
        out.println("       -d '{\"model\": \"" + TINY + "\", \"training_file\": \"file-…\"}'");
        out.println("  curl " + url + "/v1/models");
        out.println();
        out.println("other machines run jobs for it with:");
        out.println("  loraplane agent --server " + url + " --token " + agentToken(home.root()));
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            plane.stopWorkers();
            vertx.close();
            stopped.countDown();
        }, "loraplane-up-stop"));
        stopped.await();
        return 0;
    }

    /** The token remote agents present: made on first start, kept in the data directory, readable by its owner only. */
    static String agentToken(Path dataDir) {
        Path file = dataDir.resolve("agent-token");
        try {
            if (Files.exists(file)) {
                return Files.readString(file).strip();
            }
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            String token = "lpa-" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Files.createDirectories(dataDir);
            Files.writeString(file, token + "\n");
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // Windows: the file stays as the user's profile protects it
            }
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the agent token in " + file + ": " + e.getMessage(), e);
        }
    }

    /** The embedded defaults: one local tenant, the tiny base model, workers started from this very launcher. */
    static ControlPlane.Config config(Path dataDir, String host, int port, Path tiny, int slots) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> worker = List.of(java.toString(), "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "worker");
        LocalExecutor.Config local = new LocalExecutor.Config(worker, slots, List.of(), dataDir.resolve("jobs"), 30);
        return new ControlPlane.Config(dataDir, host, port, Map.of(),
                Map.of(TINY, new BaseModel(TINY, tiny, 3e-3, 512, Map.of("cpu", 500.0))), null, local, Quotas.NONE,
                RetryPolicy.DEFAULT, PriceTable.DEFAULTS, 512L << 20, new ControlPlane.Agents(Set.of(agentToken(dataDir)), 30));
    }
}
