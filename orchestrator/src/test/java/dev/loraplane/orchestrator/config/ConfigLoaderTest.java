package dev.loraplane.orchestrator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loraplane.orchestrator.jobs.Quotas;
import dev.loraplane.orchestrator.jobs.RetryPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    static final String FULL = """
            server: {host: 0.0.0.0, port: 9000, max_upload_bytes: 1048576}
            database: {url: "jdbc:postgresql://db:5432/loraplane?user=lp", pool_size: 4}
            data_dir: /var/lib/loraplane
            api_keys: {"sk-acme-1": acme, "sk-globex-1": globex}
            base_models:
              - {name: llama-3.2-1b, path: /models/Llama-3.2-1B, learning_rate: 2.0e-4, max_seq_len: 2048, tokens_per_second: {nvidia: 6000}}
              - {name: qwen, path: models/qwen}
            executors:
              local: {cpu_slots: 2, gpus: [0, 1], grace_seconds: 10}
            quotas: {running_per_tenant: 1, tenants: {acme: 2}, devices_per_accelerator: {nvidia: 4}}
            retries: {max_attempts: 5, backoff_seconds: 10, multiplier: 3, max_backoff_seconds: 300}
            prices: {cpu: 0.05, "nvidia:H100": 2.50}
            serving: {base: qwen, max_batch: 32, max_model_len: 1024, max_loras: 4, max_cpu_loras: 16, max_lora_rank: 32, queue: 8, pin: [support-bot, "acme/triage"]}
            """;

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private ConfigFile load(String yaml) throws IOException {
        return ConfigLoader.load(write("config.yaml", yaml), List.of());
    }

    @Test
    void defaultsRunOnALaptop() {
        ConfigFile config = ConfigLoader.defaults();
        assertThat(config.server()).isEqualTo(new ConfigFile.Server("127.0.0.1", 8080, 512L << 20));
        assertThat(config.database().url()).isNull();
        assertThat(config.database().open()).isNull();
        assertThat(config.dataDir()).isNull();
        assertThat(config.apiKeys()).isEmpty();
        assertThat(config.baseModels()).isEmpty();
        assertThat(config.executors().local()).isEqualTo(new ConfigFile.LocalExecutorSettings(1, Gpus.AUTO, 30));
        assertThat(config.quotas()).isEqualTo(Quotas.NONE);
        assertThat(config.retries()).isEqualTo(RetryPolicy.DEFAULT);
        assertThat(config.prices()).isEmpty();
        assertThat(config.serving()).isEqualTo(new ConfigFile.ServingSettings(null, 16, 0, 8, 32, 64, 256, List.of()));
    }

    @Test
    void anEmptyFileIsTheDefaults() throws IOException {
        assertThat(load("# nothing yet\n")).isEqualTo(ConfigLoader.defaults());
    }

    @Test
    void everyKeyOfAFullFile() throws IOException {
        ConfigFile config = load(FULL);
        assertThat(config.server()).isEqualTo(new ConfigFile.Server("0.0.0.0", 9000, 1048576));
        assertThat(config.database()).isEqualTo(new ConfigFile.DatabaseSettings("jdbc:postgresql://db:5432/loraplane?user=lp", 4));
        assertThat(config.dataDir()).isEqualTo(Path.of("/var/lib/loraplane"));
        assertThat(config.apiKeys()).isEqualTo(Map.of("sk-acme-1", "acme", "sk-globex-1", "globex"));
        assertThat(config.baseModels()).containsExactly(
                new ConfigFile.BaseModelSettings("llama-3.2-1b", Path.of("/models/Llama-3.2-1B"), 2e-4, 2048, Map.of("nvidia", 6000.0)),
                new ConfigFile.BaseModelSettings("qwen", dir.resolve("models/qwen"), 2e-4, 2048, Map.of()));
        assertThat(config.executors().local()).isEqualTo(new ConfigFile.LocalExecutorSettings(2, new Gpus(false, List.of(0, 1)), 10));
        assertThat(config.quotas()).isEqualTo(new Quotas(1, Map.of("acme", 2), Map.of("nvidia", 4)));
        assertThat(config.retries()).isEqualTo(new RetryPolicy(5, 10, 3.0, 300));
        assertThat(config.prices()).isEqualTo(Map.of("cpu", 0.05, "nvidia:H100", 2.50));
        assertThat(config.serving()).isEqualTo(new ConfigFile.ServingSettings("qwen", 32, 1024, 4, 16, 32, 8,
                List.of("support-bot", "acme/triage")));
    }

    @Test
    void aFileSetsOnlyWhatItNamesAndKeepsTheRestsDefaults() throws IOException {
        ConfigFile config = load("server:\n  port: 9000\nexecutors:\n  local:\n    gpus: none\n");
        assertThat(config.server()).isEqualTo(new ConfigFile.Server("127.0.0.1", 9000, 512L << 20));
        assertThat(config.executors().local()).isEqualTo(new ConfigFile.LocalExecutorSettings(1, Gpus.NONE, 30));
        assertThat(config.retries()).isEqualTo(RetryPolicy.DEFAULT);
    }

    @Test
    void jsonIsReadToo() throws IOException {
        Path file = write("config.json", "{\n\t\"server\": {\"port\": 9001},\n\t\"executors\": {\"local\": {\"gpus\": [2]}}\n}\n");
        ConfigFile config = ConfigLoader.load(file, List.of());
        assertThat(config.server().port()).isEqualTo(9001);
        assertThat(config.executors().local().gpus()).isEqualTo(new Gpus(false, List.of(2)));
    }

    @Test
    void relativePathsResolveAgainstTheFilesDirectory() throws IOException {
        Path sub = Files.createDirectories(dir.resolve("etc"));
        Path file = Files.writeString(sub.resolve("config.yaml"),
                "data_dir: ../data\nbase_models:\n  - {name: m, path: models/m}\n  - {name: n, path: /abs/n}\n");
        ConfigFile config = ConfigLoader.load(file, List.of());
        assertThat(config.dataDir()).isEqualTo(dir.resolve("data"));
        assertThat(config.baseModels()).extracting(ConfigFile.BaseModelSettings::path)
                .containsExactly(sub.resolve("models/m"), Path.of("/abs/n"));
    }

    @Test
    void anUnknownKeyNamesItsLineItsSectionAndTheKeysThatExist() throws IOException {
        String yaml = """
                server:
                  port: 9000
                executors:
                  local:
                    gpus: none

                    cpu_slot: 2
                """;
        assertThatThrownBy(() -> load(yaml)).isInstanceOf(ConfigException.class)
                .hasMessage(dir.resolve("config.yaml") + " line 7: unknown key 'cpu_slot' under executors.local;"
                        + " expected one of cpu_slots, gpus, grace_seconds");
        assertThatThrownBy(() -> load("sever:\n  port: 1\n")).hasMessage(dir.resolve("config.yaml")
                + " line 1: unknown key 'sever'; expected one of api_keys, base_models, data_dir, database, executors, prices,"
                + " quotas, retries, server, serving");
    }

    @Test
    void aWrongTypeNamesTheKeyTheValueAndTheTypeExpected() throws IOException {
        assertThatThrownBy(() -> load("server:\n  host: 127.0.0.1\n  port: eighty\n"))
                .hasMessage(dir.resolve("config.yaml") + " line 3: server.port is 'eighty'; expected an integer");
        assertThatThrownBy(() -> load("executors:\n  local: [1, 2]\n"))
                .hasMessage(dir.resolve("config.yaml") + " line 2: executors.local is a list; expected keys and values (a mapping)");
        assertThatThrownBy(() -> load("base_models:\n  - {name: m, path: /m}\n  - {name: n, path: /n, max_seq_len: 1.5}\n"))
                .hasMessage(dir.resolve("config.yaml") + " line 3: base_models[1].max_seq_len is 1.5; expected an integer");
        assertThatThrownBy(() -> load("prices: {cpu: free}\n"))
                .hasMessage(dir.resolve("config.yaml") + " line 1: prices.cpu is 'free'; expected a number");
    }

    @Test
    void aWrongValueNamesTheKeyAndWhatWouldDo() throws IOException {
        assertThatThrownBy(() -> load("server:\n  port: 70000\n"))
                .hasMessage(dir.resolve("config.yaml") + " line 2: server.port is 70000; expected 0 to 65535 (0: any free port)");
        assertThatThrownBy(() -> load("executors:\n  local:\n    gpus: all\n"))
                .hasMessage(dir.resolve("config.yaml") + " line 3: executors.local.gpus is 'all'; expected auto, none or a list"
                        + " of device indices such as [0, 1]");
        assertThatThrownBy(() -> load("base_models:\n  - {name: m}\n"))
                .hasMessage(dir.resolve("config.yaml") + " line 2: base_models[0].path is missing; expected the model's Hugging Face"
                        + " directory");
        assertThatThrownBy(() -> load("retries:\n  max_attempts: 0\n"))
                .hasMessage(dir.resolve("config.yaml") + " line 2: retries.max_attempts is 0; expected 1 or more");
        assertThatThrownBy(() -> load("quotas: {tenants: {acme: -1}}\n"))
                .hasMessage(dir.resolve("config.yaml") + " line 1: quotas.tenants.acme is -1; expected 0 (no limit) or more");
        assertThatThrownBy(() -> load("database: {url: \"mysql://x\"}\n")).hasMessageContaining("database.url is 'mysql://x'");
        assertThatThrownBy(() -> load("serving:\n  max_loras: 0\n"))
                .hasMessage(dir.resolve("config.yaml") + " line 2: serving.max_loras is 0; expected 1 or more");
    }

    @Test
    void aBrokenFileOrASecondKeyNamesTheLine() throws IOException {
        assertThatThrownBy(() -> load("server:\n  port: 1\n  port: 2\n"))
                .hasMessage(dir.resolve("config.yaml") + " line 3: key 'port' appears twice under server; expected it once");
        assertThatThrownBy(() -> load("server: {port: 1\n")).hasMessageStartingWith(dir.resolve("config.yaml") + " line ");
        assertThatThrownBy(() -> load("- a\n- b\n")).hasMessageContaining("expected keys and values");
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("absent.yaml"), List.of()))
                .hasMessage("config file " + dir.resolve("absent.yaml") + " does not exist");
    }
}
