package dev.loraplane.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loraplane.engine.accelerator.AcceleratorDevice;
import dev.loraplane.orchestrator.ControlPlane;
import dev.loraplane.orchestrator.config.ConfigFile;
import dev.loraplane.orchestrator.config.ConfigLoader;
import dev.loraplane.orchestrator.config.ConfigOverride;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code loraplane up}: from its options, the environment and the config file to the control plane it starts. */
class UpCommandTest {

    /** The embedded defaults on any free port, as tests start the control plane. */
    static ConfigFile laptopOnAnyPort() {
        return ConfigLoader.load(null, List.of(ConfigOverride.option("--port", "server.port", 0)));
    }

    static final List<AcceleratorDevice> ONE_L4 = List.of(new AcceleratorDevice("nvidia", 0, "NVIDIA L4", 24L << 30, "GPU-0"));

    @TempDir
    Path dir;

    private final Cli cli = new Cli();

    private UpCommand.Plan plan(Map<String, String> env, String... args) {
        UpCommand up = new UpCommand();
        new CommandLine(up).parseArgs(args);
        return up.plan(env);
    }

    @Test
    void theOptionsWinOverTheEnvironmentWhichWinsOverTheFile() throws IOException {
        Path file = Files.writeString(dir.resolve("f.yaml"), """
                server: {port: 9000}
                data_dir: data
                api_keys: {sk-file: initech}
                base_models: [{name: llama, path: models/llama, tokens_per_second: {nvidia: 6000}}]
                executors: {local: {cpu_slots: 2, gpus: [0]}}
                prices: {"nvidia:L4": 0.70}
                """);
        UpCommand.Plan plan = plan(Map.of("LORAPLANE_SERVER__PORT", "9100", "LORAPLANE_API_KEYS", "sk-a=acme,sk-b=globex,sk-c=acme",
                "LORAPLANE_HOME", dir.resolve("home").toString()), "--config", file.toString(), "--port", "0", "--slots", "3");
        assertThat(plan.file()).isEqualTo(file);
        assertThat(plan.overridden()).containsExactly("LORAPLANE_API_KEYS", "LORAPLANE_SERVER__PORT", "--port", "--slots");
        assertThat(plan.home().root()).isEqualTo(dir.resolve("data"));

        Path tiny = plan.home().models().resolve(UpCommand.TINY);
        ControlPlane.Config config = UpCommand.config(plan.config(), plan.home().root(), tiny, () -> ONE_L4);
        assertThat(config.port()).isZero();
        assertThat(config.dataDir()).isEqualTo(dir.resolve("data"));
        assertThat(config.apiKeys()).isEqualTo(Map.of("sk-a", "acme", "sk-b", "globex", "sk-c", "acme"));
        assertThat(config.baseModels()).containsOnlyKeys(UpCommand.TINY, "llama");
        assertThat(config.baseModels().get(UpCommand.TINY).dir()).isEqualTo(tiny);
        assertThat(config.baseModels().get("llama").dir()).isEqualTo(dir.resolve("models/llama"));
        assertThat(config.local().cpuSlots()).isEqualTo(3);
        assertThat(config.local().devices()).isEqualTo(ONE_L4);
        assertThat(config.local().workDir()).isEqualTo(dir.resolve("data/jobs"));
        assertThat(config.local().workerCommand()).endsWith(Main.class.getName(), "worker");
        assertThat(config.prices().usdPerHour("nvidia", "NVIDIA L4")).isEqualTo(0.70);
        assertThat(config.database()).isNull();

        StringWriter out = new StringWriter();
        UpCommand.banner(new PrintWriter(out), config, 8123);
        assertThat(out.toString()).contains("http://127.0.0.1:8123/v1", "auth is on: 3 API keys for 2 tenants",
                "3 CPU slots, GPUs nvidia 0 (NVIDIA L4)", "Authorization: Bearer $LORAPLANE_API_KEY")
                .doesNotContain("no API keys", "sk-a");
    }

    @Test
    void theDataDirectorysConfigIsReadWhenItExistsAndTheDefaultsOtherwise() throws IOException {
        UpCommand.Plan none = plan(Map.of("LORAPLANE_HOME", dir.toString()));
        assertThat(none.file()).isNull();
        assertThat(none.config()).isEqualTo(ConfigLoader.defaults());
        assertThat(none.home().root()).isEqualTo(dir);

        Files.writeString(dir.resolve("config.yaml"), "server: {port: 9200}\n");
        UpCommand.Plan home = plan(Map.of("LORAPLANE_HOME", dir.toString()));
        assertThat(home.file()).isEqualTo(dir.resolve("config.yaml"));
        assertThat(home.config().server().port()).isEqualTo(9200);

        Path other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(other.resolve("config.yaml"), "server: {port: 9300}\ndata_dir: /ignored\n");
        UpCommand.Plan option = plan(Map.of("LORAPLANE_HOME", dir.toString()), "--data-dir", other.toString());
        assertThat(option.config().server().port()).isEqualTo(9300);
        assertThat(option.home().root()).isEqualTo(other);
    }

    @Test
    void withoutKeysTheBannerSaysItIsLocalOnly() {
        StringWriter out = new StringWriter();
        UpCommand.banner(new PrintWriter(out), UpCommand.config(laptopOnAnyPort(), dir, dir.resolve("tiny"), List::of), 8080);
        assertThat(out.toString()).contains("http://127.0.0.1:8080/v1", "no API keys are configured, so it listens on 127.0.0.1 only",
                "1 CPU slot, no GPU; base models: loraplane-tiny").doesNotContain("Authorization");
        assertThat(out.toString()).as("how to watch it").contains("metrics: http://127.0.0.1:8080/metrics",
                "scrape_configs: [{job_name: loraplane, static_configs: [{targets: ['127.0.0.1:8080']}]}]",
                "rule_files: [k8s/prometheus/rules.yaml]", "dashboards in k8s/grafana/");
    }

    @Test
    void servingServesTheBuiltInBaseUnlessTheConfigNamesAnotherAndAnUnknownOneIsRefusedByName() throws IOException {
        ControlPlane.Config laptop = UpCommand.config(laptopOnAnyPort(), dir, dir.resolve("tiny"), List::of);
        assertThat(UpCommand.servedBase(laptop, laptopOnAnyPort().serving()).dir()).isEqualTo(dir.resolve("tiny"));
        Path file = Files.writeString(dir.resolve("c.yaml"), """
                base_models: [{name: qwen, path: /models/qwen}]
                serving: {base: qwen, max_loras: 4, pin: [support-bot]}
                """);
        ConfigFile withQwen = ConfigLoader.load(file, List.of());
        ControlPlane.Config config = UpCommand.config(withQwen, dir, dir.resolve("tiny"), List::of);
        assertThat(UpCommand.servedBase(config, withQwen.serving()).dir()).isEqualTo(Path.of("/models/qwen"));
        Path typo = Files.writeString(dir.resolve("t.yaml"), "serving: {base: qwn}\n");
        ConfigFile wrong = ConfigLoader.load(typo, List.of());
        assertThatThrownBy(() -> UpCommand.servedBase(UpCommand.config(wrong, dir, dir.resolve("tiny"), List::of), wrong.serving()))
                .hasMessage("serving.base is 'qwn'; expected one of the base models: loraplane-tiny");
    }

    @Test
    void aBadConfigFileStopsUpBeforeAnythingStartsAndSaysWhere() throws IOException {
        Path file = Files.writeString(dir.resolve("f.yaml"), "executors:\n  local:\n    cpu_slot: 2\n");
        assertThat(cli.run("up", "--config", file.toString(), "--data-dir", dir.toString())).isEqualTo(1);
        assertThat(cli.err.toString()).contains("loraplane up: " + file + " line 3: unknown key 'cpu_slot' under executors.local;"
                + " expected one of cpu_slots, gpus, grace_seconds");
        assertThat(cli.run("up", "--config", dir.resolve("absent.yaml").toString())).isEqualTo(1);
        assertThat(cli.err.toString()).contains("config file " + dir.resolve("absent.yaml") + " does not exist");
    }

    @Test
    void helpNamesTheConfigFileTheVariablesAndTheOptions() {
        assertThat(cli.run("up", "--help")).isZero();
        assertThat(cli.out.toString()).contains("--config=FILE", "LORAPLANE_SERVER__PORT=9000", "LORAPLANE_API_KEYS", "--port",
                "--data-dir=DIR", "--slots");
    }
}
