package dev.loraplane.orchestrator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loraplane.engine.accelerator.AcceleratorDevice;
import dev.loraplane.orchestrator.ControlPlane;
import dev.loraplane.orchestrator.jobs.BaseModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** From the file to the control plane it describes. */
class ConfigFileTest {

    static final BaseModel TINY = new BaseModel("loraplane-tiny", Path.of("/home/models/loraplane-tiny"), 3e-3, 512, Map.of("cpu", 500.0));
    static final List<AcceleratorDevice> TWO_H100 = List.of(
            new AcceleratorDevice("nvidia", 0, "NVIDIA H100 80GB HBM3", 80L << 30, "GPU-0"),
            new AcceleratorDevice("nvidia", 1, "NVIDIA H100 80GB HBM3", 80L << 30, "GPU-1"));

    @TempDir
    Path dir;

    private ControlPlane.Config plane(String yaml, Supplier<List<AcceleratorDevice>> gpus) throws IOException {
        ConfigFile config = ConfigLoader.load(Files.writeString(dir.resolve("config.yaml"), yaml), List.of());
        return config.toControlPlane(dir.resolve("data"), List.of("worker"), List.of(TINY), gpus, () -> "lpa-made");
    }

    @Test
    void theFullFileBecomesTheControlPlanesConfig() throws IOException {
        ControlPlane.Config config = plane(ConfigLoaderTest.FULL, () -> TWO_H100);
        assertThat(config.dataDir()).isEqualTo(dir.resolve("data"));
        assertThat(config.host()).isEqualTo("0.0.0.0");
        assertThat(config.port()).isEqualTo(9000);
        assertThat(config.maxUploadBytes()).isEqualTo(1048576);
        assertThat(config.apiKeys()).containsEntry("sk-acme-1", "acme");
        assertThat(config.baseModels()).containsOnlyKeys("loraplane-tiny", "llama-3.2-1b", "qwen");
        assertThat(config.baseModels().get("llama-3.2-1b")).isEqualTo(new BaseModel("llama-3.2-1b", Path.of("/models/Llama-3.2-1B"),
                2e-4, 2048, Map.of("nvidia", 6000.0)));
        assertThat(config.database().isPostgres()).isTrue();
        assertThat(config.database().describe()).isEqualTo("jdbc:postgresql://db:5432/loraplane");
        assertThat(config.local().workerCommand()).containsExactly("worker");
        assertThat(config.local().cpuSlots()).isEqualTo(2);
        assertThat(config.local().devices()).isEqualTo(TWO_H100);
        assertThat(config.local().workDir()).isEqualTo(dir.resolve("data/jobs"));
        assertThat(config.local().graceSeconds()).isEqualTo(10);
        assertThat(config.quotas().runningFor("acme")).isEqualTo(2);
        assertThat(config.retries().maxAttempts()).isEqualTo(5);
        config.database().close();
    }

    @Test
    void pricesGivenReplaceTheBuiltInOnesAndTheRestStay() throws IOException {
        ControlPlane.Config config = plane("prices: {cpu: 0.05, \"nvidia:H100\": 2.50, \"nvidia:GH200\": 4.0}\n", List::of);
        assertThat(config.prices().usdPerHour("cpu", null)).isEqualTo(0.05);
        assertThat(config.prices().usdPerHour("nvidia", "NVIDIA H100 80GB HBM3")).isEqualTo(2.50);
        assertThat(config.prices().usdPerHour("nvidia", "NVIDIA GH200 480GB")).isEqualTo(4.0);
        assertThat(config.prices().usdPerHour("nvidia", "NVIDIA A100-SXM4-40GB")).isEqualTo(1.80);
        assertThat(config.prices().usdPerHour("amd", "AMD Instinct MI300X")).isEqualTo(2.60);
    }

    @Test
    void aPriceFromTheEnvironmentReplacesTheBuiltInOneWhateverItsCase() throws IOException {
        ConfigFile file = ConfigLoader.load(null, ConfigOverride.fromEnvironment(Map.of("LORAPLANE_PRICES__NVIDIA:H100", "2.75")));
        ControlPlane.Config config = file.toControlPlane(dir, List.of("worker"), List.of(TINY), List::of, () -> "lpa-made");
        assertThat(config.prices().usdPerHour("nvidia", "NVIDIA H100 80GB HBM3")).isEqualTo(2.75);
        assertThat(config.prices().usdPerDeviceHour()).doesNotContainKey("nvidia:H100");
    }

    @Test
    void withoutAFileTheControlPlaneIsTheLaptopOne() {
        ControlPlane.Config config = ConfigLoader.defaults().toControlPlane(dir, List.of("worker"), List.of(TINY), List::of,
                () -> "lpa-made");
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.database()).isNull();
        assertThat(config.baseModels()).containsOnlyKeys("loraplane-tiny");
        assertThat(config.apiKeys()).isEmpty();
        assertThat(config.local().cpuSlots()).isEqualTo(1);
        assertThat(config.local().devices()).isEmpty();
        assertThat(config.agents().tokens()).as("the token up makes").containsExactly("lpa-made");
        assertThat(config.agents().timeoutSeconds()).isEqualTo(30);
    }

    @Test
    void agentTokensFromTheFileReplaceTheMadeOne() throws IOException {
        ControlPlane.Config config = plane("executors: {agents: {tokens: [lpa-one, lpa-two], timeout_seconds: 60}}\n", List::of);
        assertThat(config.agents().tokens()).containsExactlyInAnyOrder("lpa-one", "lpa-two");
        assertThat(config.agents().timeoutSeconds()).isEqualTo(60);
    }

    @Test
    void gpusAutoTakesEveryDetectedOneNoneAsksNothingAndAListPicks() throws IOException {
        AtomicInteger asked = new AtomicInteger();
        Supplier<List<AcceleratorDevice>> detect = () -> {
            asked.incrementAndGet();
            return TWO_H100;
        };
        assertThat(plane("executors: {local: {gpus: auto}}\n", detect).local().devices()).isEqualTo(TWO_H100);
        assertThat(plane("executors: {local: {gpus: [1]}}\n", detect).local().devices()).containsExactly(TWO_H100.get(1));
        assertThat(asked).hasValue(2);
        assertThat(plane("executors: {local: {gpus: none}}\n", detect).local().devices()).isEmpty();
        assertThat(asked).hasValue(2);
        assertThatThrownBy(() -> plane("executors: {local: {gpus: [0, 3]}}\n", detect)).isInstanceOf(ConfigException.class)
                .hasMessage("executors.local.gpus lists 3, but this host has no GPU 3 (GPUs found: nvidia 0, nvidia 1)");
    }

    @Test
    void aConfiguredModelMayNotTakeABuiltInName() throws IOException {
        assertThatThrownBy(() -> plane("base_models: [{name: loraplane-tiny, path: /m}]\n", List::of))
                .hasMessage("base_models: 'loraplane-tiny' is built in; give yours another name");
        assertThatThrownBy(() -> plane("base_models: [{name: m, path: /m}, {name: m, path: /n}]\n", List::of))
                .hasMessageEndingWith("line 1: base_models[1].name is 'm', the name of an earlier base model; expected each name once");
    }
}
