package dev.loraplane.orchestrator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.IntNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code LORAPLANE_*} variables and command-line options over the file. */
class ConfigOverrideTest {

    @TempDir
    Path dir;

    private ConfigFile load(String yaml, Map<String, String> env) throws IOException {
        return ConfigLoader.load(Files.writeString(dir.resolve("config.yaml"), yaml), ConfigOverride.fromEnvironment(env));
    }

    @Test
    void doubleUnderscoresNestLowercasedKeysAndValuesAreYaml() throws IOException {
        ConfigFile config = load("server: {port: 8081}\nquotas: {tenants: {globex: 1}}\n", Map.of(
                "LORAPLANE_SERVER__PORT", "9000",
                "LORAPLANE_DATABASE__URL", "jdbc:postgresql://db:5432/loraplane?user=lp&password=s3cr:t",
                "LORAPLANE_DATABASE__POOL_SIZE", "3",
                "LORAPLANE_QUOTAS__RUNNING_PER_TENANT", "2",
                "LORAPLANE_QUOTAS__TENANTS__ACME", "4",
                "LORAPLANE_EXECUTORS__LOCAL__GPUS", "[0, 1]",
                "LORAPLANE_RETRIES__MULTIPLIER", "1.5",
                "LORAPLANE_PRICES__NVIDIA:H100", "2.75"));
        assertThat(config.server().port()).isEqualTo(9000);
        assertThat(config.database()).isEqualTo(new ConfigFile.DatabaseSettings(
                "jdbc:postgresql://db:5432/loraplane?user=lp&password=s3cr:t", 3));
        assertThat(config.quotas().runningPerTenant()).isEqualTo(2);
        assertThat(config.quotas().tenants()).isEqualTo(Map.of("acme", 4, "globex", 1));
        assertThat(config.executors().local().gpus()).isEqualTo(new Gpus(false, List.of(0, 1)));
        assertThat(config.retries().multiplier()).isEqualTo(1.5);
        assertThat(config.prices()).isEqualTo(Map.of("nvidia:h100", 2.75));
    }

    @Test
    void apiKeysComeAsPairsKeepTheirCaseAndReplaceTheFiles() throws IOException {
        ConfigFile config = load("api_keys: {sk-old: initech}\n", Map.of("LORAPLANE_API_KEYS", "sk-A=acme, sk-B==globex"));
        assertThat(config.apiKeys()).isEqualTo(Map.of("sk-A", "acme", "sk-B=", "globex"));
        assertThatThrownBy(() -> load("", Map.of("LORAPLANE_API_KEYS", "sk-A=acme,sk-secret")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("LORAPLANE_API_KEYS: entry 2 is not KEY=TENANT; expected comma-separated pairs such as sk-a=acme,sk-b=globex")
                .hasMessageNotContaining("sk-secret");
    }

    @Test
    void otherVariablesAndEmptyValuesAreLeftAlone() throws IOException {
        ConfigFile config = load("server: {port: 8081}\n", Map.of("LORAPLANE_HOME", "/tmp/lp", "LORAPLANE_SERVER", "http://x",
                "LORAPLANE_API_KEY", "sk-client", "LORAPLANE_SERVER__PORT", "", "PATH", "/bin"));
        assertThat(config.server().port()).isEqualTo(8081);
        assertThat(config.apiKeys()).isEmpty();
    }

    @Test
    void listEntriesAreIndexedAndTheNextOneIsAdded() throws IOException {
        ConfigFile config = load("base_models:\n  - {name: a, path: /a}\n", Map.of(
                "LORAPLANE_BASE_MODELS__0__MAX_SEQ_LEN", "512",
                "LORAPLANE_BASE_MODELS__1__NAME", "b",
                "LORAPLANE_BASE_MODELS__1__PATH", "models/b"));
        assertThat(config.baseModels()).containsExactly(
                new ConfigFile.BaseModelSettings("a", Path.of("/a"), null, 512, null),
                new ConfigFile.BaseModelSettings("b", dir.resolve("models/b"), null, null, null));
        assertThatThrownBy(() -> load("", Map.of("LORAPLANE_BASE_MODELS__2__NAME", "c")))
                .hasMessage("LORAPLANE_BASE_MODELS__2__NAME: base_models is a list of 0; expected an index from 0 to 0 in place of '2'");
    }

    @Test
    void aMistakeFromTheEnvironmentNamesTheVariable() throws IOException {
        assertThatThrownBy(() -> load("server: {port: 8081}\n", Map.of("LORAPLANE_SERVER__PORT", "ninety")))
                .hasMessage("LORAPLANE_SERVER__PORT: server.port is 'ninety'; expected an integer");
        assertThatThrownBy(() -> load("", Map.of("LORAPLANE_EXECUTORS__LOCAL__CPU_SLOT", "2")))
                .hasMessage("LORAPLANE_EXECUTORS__LOCAL__CPU_SLOT: unknown key 'cpu_slot' under executors.local;"
                        + " expected one of cpu_slots, gpus, grace_seconds");
        assertThatThrownBy(() -> load("", Map.of("LORAPLANE_RETRIES__MAX_ATTEMPTS", "0")))
                .hasMessage("LORAPLANE_RETRIES__MAX_ATTEMPTS: retries.max_attempts is 0; expected 1 or more");
        assertThatThrownBy(() -> load("", Map.of("LORAPLANE_SERVER__PORT", "70000")))
                .hasMessage("LORAPLANE_SERVER__PORT: server.port is 70000; expected 0 to 65535 (0: any free port)");
    }

    @Test
    void theEnvironmentIsAppliedBeforeValidationSoItMayMendTheFile() throws IOException {
        ConfigFile config = load("server: {port: 70000}\n", Map.of("LORAPLANE_SERVER__PORT", "9000"));
        assertThat(config.server().port()).isEqualTo(9000);
    }

    @Test
    void aCommandLineOptionWinsAndIsNamedWhenWrong() throws IOException {
        Path file = Files.writeString(dir.resolve("config.yaml"), "server: {port: 8081}\n");
        List<ConfigOverride> overrides = List.of(new ConfigOverride("LORAPLANE_SERVER__PORT", List.of("server", "port"),
                new IntNode(9000)), ConfigOverride.option("--port", "server.port", 0));
        assertThat(ConfigLoader.load(file, overrides).server().port()).isZero();
        assertThatThrownBy(() -> ConfigLoader.load(file, List.of(ConfigOverride.option("--slots", "executors.local.cpu_slots", -1))))
                .hasMessage("--slots: executors.local.cpu_slots is -1; expected 0 or more");
    }
}
