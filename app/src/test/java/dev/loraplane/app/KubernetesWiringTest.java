package dev.loraplane.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.k8s.K8sSettings;
import dev.loraplane.orchestrator.config.ConfigFile;
import dev.loraplane.orchestrator.config.ConfigLoader;
import dev.loraplane.orchestrator.config.ConfigOverride;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code executors.kubernetes} of the config file becomes the Kubernetes executor's settings. */
class KubernetesWiringTest {

    @Test
    void offByDefaultAndTheConfiguredKeysReachTheExecutor() {
        assertThat(ConfigLoader.defaults().executors().kubernetes().enabled()).isFalse();

        ConfigFile file = ConfigLoader.load(null, ConfigOverride.fromEnvironment(Map.of(
                "LORAPLANE_EXECUTORS__KUBERNETES__ENABLED", "true", "LORAPLANE_EXECUTORS__KUBERNETES__NAMESPACE", "ml",
                "LORAPLANE_EXECUTORS__KUBERNETES__IMAGES__NVIDIA", "registry.example/loraplane:cuda",
                "LORAPLANE_EXECUTORS__KUBERNETES__KUEUE_QUEUE", "team-a", "LORAPLANE_EXECUTORS__KUBERNETES__CPU_SLOTS", "2")));
        K8sSettings settings = KubernetesWiring.settings(file.executors().kubernetes(), Path.of("/var/lib/loraplane"));

        assertThat(settings.namespace()).isEqualTo("ml");
        assertThat(settings.images()).containsExactly(Map.entry("nvidia", "registry.example/loraplane:cuda"));
        assertThat(settings.kueueQueue()).isEqualTo("team-a");
        assertThat(settings.cpuSlots()).isEqualTo(2);
        assertThat(settings.mounts()).containsExactly(new K8sSettings.Mount("loraplane-data", "/var/lib/loraplane", false));
        assertThat(settings.workerCommand()).containsExactly("loraplane", "worker");
        assertThat(settings.leaseName()).isEqualTo("loraplane-scheduler");
        assertThat(settings.activeDeadlineSeconds()).isEqualTo(86_400);
    }
}
