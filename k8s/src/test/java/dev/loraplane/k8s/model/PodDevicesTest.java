package dev.loraplane.k8s.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What another workload's pod holds, counted as the kube-scheduler counts it. */
class PodDevicesTest {

    static final List<String> GPUS = List.of("nvidia.com/gpu", "amd.com/gpu");

    static Container requesting(String name, int gpus) {
        return new ContainerBuilder().withName(name).withNewResources().addToRequests("nvidia.com/gpu", new Quantity(
                String.valueOf(gpus))).addToLimits("nvidia.com/gpu", new Quantity(String.valueOf(gpus))).endResources().build();
    }

    static PodBuilder pod(String node, String phase) {
        return new PodBuilder().withNewMetadata().withName("llm-0").withNamespace("inference").endMetadata()
                .withNewSpec().withNodeName(node).endSpec().withNewStatus().withPhase(phase).endStatus();
    }

    @Test
    void aBoundPodHoldsWhatItsContainersRequestTogether() {
        Container limitOnly = new ContainerBuilder().withName("sidekick").withNewResources()
                .addToLimits("nvidia.com/gpu", new Quantity("1")).addToLimits("cpu", new Quantity("2")).endResources().build();
        Pod pod = pod("gpu-1", "Running").editSpec().addToContainers(requesting("server", 2), limitOnly)
                .addNewContainer().withName("metrics").endContainer().endSpec().build();

        assertThat(PodDevices.of(pod, GPUS)).hasValue(new PodDevices("gpu-1", Map.of("nvidia.com/gpu", 3)));
    }

    @Test
    void aPodHoldsNothingBeforeItIsBoundOrAfterItEndsOrWhenItAsksForNoDevices() {
        Pod server = pod(null, "Pending").editSpec().addToContainers(requesting("server", 2)).endSpec().build();
        Pod web = pod("gpu-1", "Running").editSpec().addNewContainer().withName("web").withNewResources()
                .addToRequests("cpu", new Quantity("1")).endResources().endContainer().endSpec().build();

        assertThat(PodDevices.of(server, GPUS)).as("no node has taken it yet").isEmpty();
        assertThat(PodDevices.of(new PodBuilder(server).editSpec().withNodeName("gpu-1").endSpec().build(), GPUS))
                .as("bound, its image still pulling").hasValue(new PodDevices("gpu-1", Map.of("nvidia.com/gpu", 2)));
        for (String ended : List.of("Succeeded", "Failed")) {
            assertThat(PodDevices.of(new PodBuilder(server).editSpec().withNodeName("gpu-1").endSpec().editStatus()
                    .withPhase(ended).endStatus().build(), GPUS)).as(ended).isEmpty();
        }
        assertThat(PodDevices.of(web, GPUS)).isEmpty();
    }

    @Test
    void theLargestInitContainerCountsWhenItAsksForMoreThanTheContainersTogether() {
        Pod warmUp = pod("gpu-1", "Pending").editSpec().addToInitContainers(requesting("load", 1), requesting("compile", 4))
                .addToContainers(requesting("server", 1), requesting("draft", 1)).endSpec().build();
        Pod small = pod("gpu-1", "Running").editSpec().addToInitContainers(requesting("load", 1))
                .addToContainers(requesting("server", 2)).endSpec().build();

        assertThat(PodDevices.of(warmUp, GPUS)).hasValue(new PodDevices("gpu-1", Map.of("nvidia.com/gpu", 4)));
        assertThat(PodDevices.of(small, GPUS)).hasValue(new PodDevices("gpu-1", Map.of("nvidia.com/gpu", 2)));
    }

    @Test
    void aSidecarAddsToTheInitContainersAfterItAndToTheContainers() {
        Container sidecar = new ContainerBuilder(requesting("proxy", 1)).withRestartPolicy("Always").build();
        Pod pod = pod("gpu-1", "Running").editSpec().addToInitContainers(sidecar, requesting("compile", 2))
                .addToContainers(requesting("server", 1)).endSpec().build();

        assertThat(PodDevices.of(pod, GPUS)).as("compile runs beside the sidecar: 1 + 2; then 1 + 1")
                .hasValue(new PodDevices("gpu-1", Map.of("nvidia.com/gpu", 3)));
    }
}
