package dev.loraplane.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The manifests under {@code k8s/deploy/}: each parses into typed objects, and the Kustomizations hold together. */
class DeployAssetsTest {

    static final Path DEPLOY = Path.of("deploy");
    static final KubernetesSerialization YAML = new KubernetesSerialization();

    static List<HasMetadata> parse(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            Object parsed = YAML.unmarshal(in);
            return parsed instanceof KubernetesList list ? list.getItems()
                    : parsed instanceof List<?> items ? items.stream().map(HasMetadata.class::cast).toList()
                    : List.of((HasMetadata) parsed);
        }
    }

    static List<Path> manifests(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".yaml") && !f.getFileName().toString().equals("kustomization.yaml"))
                    .sorted().toList();
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> kustomization(Path dir) throws IOException {
        try (InputStream in = Files.newInputStream(dir.resolve("kustomization.yaml"))) {
            return YAML.unmarshal(in, Map.class);
        }
    }

    @Test
    void everyManifestParsesIntoTypedObjects() throws IOException {
        List<HasMetadata> all = new ArrayList<>();
        for (Path file : manifests(DEPLOY)) {
            List<HasMetadata> objects = parse(file);
            assertThat(objects).as(file.toString()).isNotEmpty();
            all.addAll(objects);
        }

        assertThat(all).filteredOn(o -> o instanceof GenericKubernetesResource).as("only the Prometheus Operator's kind is untyped")
                .extracting(HasMetadata::getKind).containsOnly("ServiceMonitor");
        assertThat(all).extracting(HasMetadata::getKind).contains("Namespace", "ServiceAccount", "Role", "RoleBinding",
                "ClusterRole", "ClusterRoleBinding", "PersistentVolumeClaim", "ConfigMap", "Deployment", "Service",
                "ServiceMonitor");
        Deployment controlPlane = all.stream().filter(o -> o instanceof Deployment && o.getMetadata().getName()
                .equals("loraplane-control-plane")).map(Deployment.class::cast).findFirst().orElseThrow();
        assertThat(controlPlane.getSpec().getReplicas()).isEqualTo(2);
        assertThat(controlPlane.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("loraplane-control-plane");
        assertThat(all).filteredOn(o -> o instanceof PersistentVolumeClaim).extracting(o -> o.getMetadata().getName())
                .containsExactly("loraplane-data", "loraplane-models");
    }

    @Test
    void theRoleGrantsWhatTheExecutorAndTheLeaseUseAndNoMore() throws IOException {
        Role role = parse(DEPLOY.resolve("base/rbac.yaml")).stream().filter(o -> o instanceof Role).map(Role.class::cast)
                .findFirst().orElseThrow();

        assertThat(role.getRules()).allSatisfy(r -> assertThat(r.getVerbs()).doesNotContain("*", "patch", "deletecollection"));
        assertThat(role.getRules()).anySatisfy(r -> {
            assertThat(r.getResources()).containsExactly("pods");
            assertThat(r.getVerbs()).as("the informer lists and watches; a broken log stream reads its pod")
                    .containsExactlyInAnyOrder("get", "list", "watch");
        });
        assertThat(role.getRules()).anySatisfy(r -> {
            assertThat(r.getResources()).containsExactly("pods/log");
            assertThat(r.getVerbs()).containsExactly("get");
        });
        assertThat(role.getRules()).anySatisfy(r -> {
            assertThat(r.getApiGroups()).containsExactly("coordination.k8s.io");
            assertThat(r.getVerbs()).containsExactlyInAnyOrder("get", "create", "update");
        });
    }

    @Test
    void theClusterRoleReadsNodesAndPodsEverywhereAndNothingElse() throws IOException {
        List<HasMetadata> rbac = parse(DEPLOY.resolve("base/rbac.yaml"));
        ClusterRole role = rbac.stream().filter(o -> o instanceof ClusterRole).map(ClusterRole.class::cast).findFirst()
                .orElseThrow();
        ClusterRoleBinding binding = rbac.stream().filter(o -> o instanceof ClusterRoleBinding)
                .map(ClusterRoleBinding.class::cast).findFirst().orElseThrow();

        assertThat(role.getRules()).as("the informers of the GPU inventory list and watch").allSatisfy(r -> {
            assertThat(r.getApiGroups()).containsExactly("");
            assertThat(r.getVerbs()).containsExactlyInAnyOrder("list", "watch");
        }).flatExtracting(PolicyRule::getResources).containsExactlyInAnyOrder("nodes", "pods");
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> assertThat(s.getName())
                .isEqualTo("loraplane-control-plane"));
    }

    @Test
    void theKustomizationsReferenceOnlyFilesThatExistAndEveryFileIsReferenced() throws IOException {
        Path base = DEPLOY.resolve("base");
        List<Path> referenced = new ArrayList<>();
        for (Path dir : List.of(base, DEPLOY.resolve("overlays/nvidia"), DEPLOY.resolve("overlays/amd"))) {
            Map<String, Object> k = kustomization(dir);
            for (Object resource : (List<?>) k.getOrDefault("resources", List.of())) {
                Path path = dir.resolve((String) resource).normalize();
                assertThat(Files.isRegularFile(path) || Files.isRegularFile(path.resolve("kustomization.yaml")))
                        .as(dir + " names " + resource).isTrue();
                referenced.add(path);
            }
            for (Object patch : (List<?>) k.getOrDefault("patches", List.of())) {
                Path path = dir.resolve((String) ((Map<?, ?>) patch).get("path")).normalize();
                assertThat(path).as(dir + " patches with " + path).isRegularFile();
                assertThat(parse(path)).singleElement().isInstanceOf(Deployment.class);
                referenced.add(path);
            }
        }

        assertThat(referenced).containsAll(manifests(DEPLOY).stream().map(Path::normalize).toList());
        assertThat(kustomization(DEPLOY.resolve("overlays/nvidia")).get("resources")).isEqualTo(List.of("../../base"));
    }

    @Test
    void eachOverlayGivesServingItsVendorsGpu() throws IOException {
        for (String vendor : List.of("nvidia", "amd")) {
            Deployment patch = (Deployment) parse(DEPLOY.resolve("overlays/" + vendor + "/serving-gpu.yaml")).get(0);
            var container = patch.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(container.getResources().getLimits()).containsOnlyKeys(vendor + ".com/gpu");
            assertThat(container.getImage()).endsWith(vendor.equals("nvidia") ? ":latest-cuda" : ":latest-rocm");
            assertThat(patch.getSpec().getTemplate().getSpec().getTolerations()).singleElement()
                    .satisfies(t -> assertThat(t.getKey()).isEqualTo(vendor + ".com/gpu"));
        }
    }
}
