package dev.loraplane.app;

import dev.loraplane.app.serve.RegistryServing;
import dev.loraplane.engine.accelerator.AcceleratorDevice;
import dev.loraplane.engine.accelerator.AcceleratorPlugin;
import dev.loraplane.engine.accelerator.Accelerators;
import dev.loraplane.engine.accelerator.Detection;
import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import dev.loraplane.orchestrator.ControlPlane;
import dev.loraplane.orchestrator.api.ApiKeys;
import dev.loraplane.orchestrator.config.ConfigException;
import dev.loraplane.orchestrator.config.ConfigFile;
import dev.loraplane.orchestrator.config.ConfigLoader;
import dev.loraplane.orchestrator.config.ConfigOverride;
import dev.loraplane.orchestrator.config.Gpus;
import dev.loraplane.orchestrator.jobs.BaseModel;
import dev.loraplane.orchestrator.metrics.ControlPlaneMetrics;
import dev.loraplane.serving.Serving;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = {
            "Start the control plane, configured by a YAML or JSON file, LORAPLANE_* variables and these options.",
            "",
            "Without a config file it runs on embedded defaults: the OpenAI-style fine-tuning API on 127.0.0.1, an H2"
                + " database and the artifacts under the data directory, the local executor on every GPU found, and the"
                + " built-in base model loraplane-tiny (written on first start).",
            "",
            "A variable sets a key over the file, a double underscore for each section: LORAPLANE_SERVER__PORT=9000 sets"
                + " server.port. LORAPLANE_API_KEYS=sk-a=acme,sk-b=globex sets the API keys. The options below win over both."
        })
final class UpCommand implements Callable<Integer> {

    static final String TINY = "loraplane-tiny";

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
            description = "the config file, YAML or JSON (default: config.yaml in the data directory, when it exists)")
    Path configFile;

    @Option(names = "--port", paramLabel = "PORT", description = "the API's port, over server.port (default: 8080)")
    Integer port;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "where data lives, over data_dir (default: $LORAPLANE_HOME or ~/.loraplane)")
    Path dataDir;

    @Option(names = "--slots", paramLabel = "N", description = "CPU training jobs at once, over executors.local.cpu_slots (default: 1)")
    Integer slots;

    /**
     * What the command line, the environment and the config file say, before anything starts.
     *
     * @param file the config file read, or null for the embedded defaults
     * @param home where data lives
     * @param overridden the LORAPLANE_* variables and options applied over the file
     */
    record Plan(Path file, Home home, ConfigFile config, List<String> overridden) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Plan plan = plan(System.getenv());
        out.println("config: " + (plan.file() != null ? plan.file() : "the embedded defaults (no " + plan.home().config() + ")")
                + (plan.overridden().isEmpty() ? "" : ", with " + String.join(", ", plan.overridden())));
        Path tiny = plan.home().models().resolve(TINY);
        if (!Files.exists(tiny.resolve("config.json"))) {
            out.println("writing the built-in base model " + TINY + " to " + tiny);
            TinyModel.write(Preset.TINY, tiny, 0);
        }
        ControlPlane.Config config = config(plan.config(), plan.home().root(), tiny, Gpus::detected);
        ControlPlaneMetrics metrics = new ControlPlaneMetrics();
        ConfigFile.ServingSettings served = plan.config().serving();
        BaseModel base = servedBase(config, served);
        RegistryServing serving = new RegistryServing(base.dir(), base.name(), metrics.registry(), new Serving.Settings(
                served.maxBatch(), served.maxModelLen(), served.queue(), served.maxLoras(), served.maxCpuLoras(),
                served.maxLoraRank(), Serving.Settings.DEFAULTS.resolveTtl(),
                Serving.Settings.DEFAULTS.staleWindow(), 50).withPrice(RegistryServing.cpuPrice(config.prices())));
        ConfigFile.KubernetesSettings k8s = plan.config().executors().kubernetes();
        KubernetesWiring cluster = k8s.enabled() ? KubernetesWiring.connect(k8s, config.dataDir()) : null;
        Vertx vertx = Vertx.vertx();
        ControlPlane plane = ControlPlane.start(vertx, config, new ControlPlane.Extensions(
                        cluster == null ? List.of() : List.of(cluster.executor()), cluster == null ? null : cluster.leadership(),
                        List.of(serving), metrics, serving.evals("cpu", cpuProduct())))
                .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        banner(out, config, plane.port());
        out.println("serving: " + base.name() + ", up to " + served.maxBatch() + " sequences and " + served.maxLoras()
                + " adapters per step");
        pin(out, serving, served.pin());
        if (cluster != null) {
            out.println("kubernetes: training Jobs in namespace " + k8s.namespace() + " of " + cluster.client().getMasterUrl()
                    + "; the replica holding Lease " + k8s.leaseName() + " schedules");
            out.flush();
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            plane.stopWorkers();
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                out.println("stopping: " + e.getMessage());
            }
            plane.close();
            serving.close();
            if (cluster != null) {
                cluster.close();
            }
            stopped.countDown();
        }, "loraplane-up-stop"));
        stopped.await();
        return 0;
    }

    /** The host's CPU as the cpu plugin names it, which prices serving in evals (serving runs on the CPU here). */
    static String cpuProduct() {
        return Accelerators.plugin("cpu").map(AcceleratorPlugin::detect).filter(Detection::present)
                .map(d -> d.devices().get(0).product()).orElse(null);
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

    /** Reads the config file (the one named, else the data directory's when it exists) under env and options. */
    Plan plan(Map<String, String> env) {
        Home home = dataDir != null ? Home.of(dataDir) : Home.fromEnvironment(env);
        Path file = configFile != null ? configFile : Files.exists(home.config()) ? home.config() : null;
        List<ConfigOverride> overrides = new ArrayList<>(ConfigOverride.fromEnvironment(env));
        if (port != null) {
            overrides.add(ConfigOverride.option("--port", "server.port", port));
        }
        if (slots != null) {
            overrides.add(ConfigOverride.option("--slots", "executors.local.cpu_slots", slots));
        }
        ConfigFile config = ConfigLoader.load(file, overrides);
        Home data = dataDir == null && config.dataDir() != null ? Home.of(config.dataDir()) : home;
        return new Plan(file, data, config, overrides.stream().map(ConfigOverride::source).distinct().toList());
    }

    /** The base model {@code serving.base} names among the control plane's. */
    static BaseModel servedBase(ControlPlane.Config config, ConfigFile.ServingSettings serving) {
        String name = serving.base() == null ? TINY : serving.base();
        BaseModel base = config.baseModels().get(name);
        if (base == null) {
            throw new ConfigException("serving.base is '" + name + "'; expected one of the base models: "
                    + String.join(", ", config.baseModels().keySet()));
        }
        return base;
    }

    /** Loads the pinned adapters; one that cannot be loaded yet (not trained yet, say) is reported and skipped. */
    private static void pin(PrintWriter out, RegistryServing serving, List<String> pins) {
        for (String pin : pins) {
            int slash = pin.indexOf('/');
            String tenant = slash < 0 ? ApiKeys.DEFAULT_TENANT : pin.substring(0, slash);
            String name = slash < 0 ? pin : pin.substring(slash + 1);
            try {
                serving.pin(tenant, name).get(60, TimeUnit.SECONDS);
                out.println("pinned: " + pin);
            } catch (Exception e) {
                Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                out.println("not pinned: " + pin + ": " + cause.getMessage());
            }
        }
        out.flush();
    }

    /** The control plane {@code file} describes, with the built-in tiny model and workers started from this very launcher. */
    static ControlPlane.Config config(ConfigFile file, Path dataDir, Path tiny, Supplier<List<AcceleratorDevice>> gpus) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> worker = List.of(java.toString(), "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "worker");
        BaseModel builtIn = new BaseModel(TINY, tiny, 3e-3, 512, Map.of("cpu", 500.0));
        return file.toControlPlane(dataDir, worker, List.of(builtIn), gpus, () -> agentToken(dataDir));
    }

    /** Where the API is, who may use it, what runs jobs, and how to start. */
    static void banner(PrintWriter out, ControlPlane.Config config, int port) {
        boolean wildcard = config.host().equals("0.0.0.0") || config.host().equals("::");
        String url = "http://" + (wildcard ? "127.0.0.1" : config.host()) + ":" + port;
        out.println("loraplane is up: " + url + "/v1  (data in " + config.dataDir() + ")");
        String auth = "";
        if (config.apiKeys().isEmpty()) {
            out.println("no API keys are configured, so it listens on " + config.host() + " only, for one local tenant");
        } else {
            int tenants = new HashSet<>(config.apiKeys().values()).size();
            out.println("auth is on: " + config.apiKeys().size() + " API key" + (config.apiKeys().size() == 1 ? "" : "s") + " for "
                    + tenants + " tenant" + (tenants == 1 ? "" : "s") + "; it listens on " + config.host());
            auth = " -H \"Authorization: Bearer $LORAPLANE_API_KEY\"";
        }
        String gpus = config.local().devices().stream().map(d -> d.vendor() + " " + d.index() + " (" + d.product() + ")")
                .collect(Collectors.joining(", "));
        out.println("local executor: " + config.local().cpuSlots() + " CPU slot" + (config.local().cpuSlots() == 1 ? "" : "s")
                + (gpus.isEmpty() ? ", no GPU" : ", GPUs " + gpus) + "; base models: " + String.join(", ", config.baseModels().keySet()));
        out.println();
        out.println("  curl " + url + "/v1/files" + auth + " -F purpose=fine-tune -F file=@train.jsonl");
        out.println("  curl " + url + "/v1/fine_tuning/jobs" + auth + " -H 'Content-Type: application/json' \\");
        out.println("       -d '{\"model\": \"" + TINY + "\", \"training_file\": \"file-…\"}'");
        out.println("  curl " + url + "/v1/models" + auth);
        out.println("  curl " + url + "/v1/chat/completions" + auth + " -H 'Content-Type: application/json' \\");
        out.println("       -d '{\"model\": \"ft:" + TINY + ":…\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}'");
        out.println();
        String made = Files.exists(config.dataDir().resolve("agent-token")) ? agentToken(config.dataDir()) : null;
        out.println("other machines run jobs for it with:");
        out.println("  loraplane agent --server " + url + " --token "
                + (made != null && config.agents().tokens().equals(Set.of(made)) ? made : "<one of executors.agents.tokens>"));
        out.println();
        out.println("metrics: " + url + "/metrics (no API key). For a local Prometheus, in prometheus.yml:");
        out.println("  scrape_configs: [{job_name: loraplane, static_configs: [{targets: ['" + url.substring(7) + "']}]}]");
        out.println("  rule_files: [k8s/prometheus/rules.yaml]");
        out.println("then add that Prometheus to Grafana as a data source and import the dashboards in k8s/grafana/");
        out.flush();
    }
}
