package dev.loraplane.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboards as Grafana loads them: every panel and query on the {@code ${datasource}}
 * Prometheus variable, and the Kustomize base's sidecar ConfigMaps holding the same JSON as
 * {@code k8s/grafana/}. {@code PrometheusEndToEndTest} (app) runs their queries on a real Prometheus.
 */
class GrafanaDashboardsTest {

    private static final Path GRAFANA = Path.of("grafana");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DATASOURCE = "${datasource}";

    private static Map<String, JsonNode> dashboards() throws IOException {
        try (Stream<Path> files = Files.list(GRAFANA)) {
            return files.filter(f -> f.toString().endsWith(".json")).collect(Collectors.toMap(f -> f.getFileName().toString(), f -> {
                try {
                    return JSON.readTree(f.toFile());
                } catch (IOException e) {
                    throw new AssertionError(f + " is not JSON: " + e.getMessage(), e);
                }
            }));
        }
    }

    @Test
    void theThreeDashboardsQueryOnlyThroughTheDatasourceVariable() throws IOException {
        Map<String, JsonNode> dashboards = dashboards();
        assertThat(dashboards.values()).extracting(d -> d.get("title").asText()).containsExactlyInAnyOrder(
                "loraplane / Fine-tuning jobs", "loraplane / GPUs and cost", "loraplane / Serving");
        dashboards.forEach((file, dashboard) -> {
            assertThat(dashboard.get("uid").asText()).as(file).startsWith("loraplane-");
            JsonNode variable = dashboard.get("templating").get("list").get(0);
            assertThat(variable.get("name").asText()).isEqualTo("datasource");
            assertThat(variable.get("type").asText()).isEqualTo("datasource");
            assertThat(variable.get("query").asText()).isEqualTo("prometheus");
            assertThat(dashboard.get("panels")).as(file).isNotEmpty();
            for (JsonNode panel : dashboard.get("panels")) {
                String where = file + " / " + panel.get("title").asText();
                assertThat(panel.get("datasource").get("uid").asText()).as(where).isEqualTo(DATASOURCE);
                assertThat(panel.get("targets")).as(where).isNotEmpty().allSatisfy(target -> {
                    assertThat(target.get("datasource").get("uid").asText()).as(where).isEqualTo(DATASOURCE);
                    assertThat(target.get("expr").asText()).as(where).contains("loraplane_");
                });
            }
        });
    }

    @Test
    void theKustomizeBaseCarriesEachDashboardAsASidecarConfigMap() throws IOException {
        Path file = DeployAssetsTest.DEPLOY.resolve("base/grafana-dashboards.yaml");
        assertThat((List<?>) DeployAssetsTest.kustomization(DeployAssetsTest.DEPLOY.resolve("base")).get("resources"))
                .extracting(String::valueOf).contains("grafana-dashboards.yaml");
        List<HasMetadata> maps = DeployAssetsTest.parse(file);
        Map<String, JsonNode> dashboards = dashboards();
        assertThat(maps).hasSize(dashboards.size()).allSatisfy(m -> {
            assertThat(m).isInstanceOf(ConfigMap.class);
            assertThat(m.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        });
        for (HasMetadata m : maps) {
            Map<String, String> data = ((ConfigMap) m).getData();
            assertThat(data).as(m.getMetadata().getName()).hasSize(1);
            Map.Entry<String, String> entry = data.entrySet().iterator().next();
            assertThat(JSON.readTree(entry.getValue())).as("%s in %s is k8s/grafana/%s as it is now", entry.getKey(), file,
                    entry.getKey()).isEqualTo(dashboards.get(entry.getKey()));
        }
    }
}
