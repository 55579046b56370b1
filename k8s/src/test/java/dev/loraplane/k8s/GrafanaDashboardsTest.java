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
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboards as Grafana loads them: every panel and query on the {@code ${datasource}}
 * Prometheus variable, reading loraplane's series (and beside them the GPU exporters' where a panel
 * shows those too), and the Kustomize base's sidecar ConfigMaps holding the same JSON as
 * {@code k8s/grafana/}, written out to {@code k8s/target/} when they differ. {@code PrometheusEndToEndTest}
 * (app) runs their queries on a real Prometheus.
 */
class GrafanaDashboardsTest {

    private static final Path GRAFANA = Path.of("grafana");
    private static final Path SIDECAR = DeployAssetsTest.DEPLOY.resolve("base/grafana-dashboards.yaml");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DATASOURCE = "${datasource}";
    /** The series of NVIDIA dcgm-exporter and AMD device-metrics-exporter that the GPU panels show beside loraplane's. */
    private static final Pattern EXPORTER_SERIES = Pattern.compile(
            "(DCGM_FI_DEV_GPU_UTIL|DCGM_FI_DEV_FB_USED|DCGM_FI_DEV_POWER_USAGE|gpu_gfx_activity|gpu_used_vram|gpu_power_usage)\\b.*");

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
                    String expr = target.get("expr").asText();
                    assertThat(expr.contains("loraplane_") || EXPORTER_SERIES.matcher(expr).matches())
                            .as("%s: %s reads loraplane's series or a GPU exporter's", where, expr).isTrue();
                }).anySatisfy(target -> assertThat(target.get("expr").asText()).as(where).contains("loraplane_"));
            }
        });
    }

    @Test
    void theKustomizeBaseCarriesEachDashboardAsASidecarConfigMap() throws IOException {
        assertThat((List<?>) DeployAssetsTest.kustomization(DeployAssetsTest.DEPLOY.resolve("base")).get("resources"))
                .extracting(String::valueOf).contains("grafana-dashboards.yaml");
        List<HasMetadata> maps = DeployAssetsTest.parse(SIDECAR);
        assertThat(maps).hasSize(dashboards().size()).allSatisfy(m -> {
            assertThat(m).isInstanceOf(ConfigMap.class);
            assertThat(m.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        });
        List<String> expected = sidecarYaml().lines().toList();
        List<String> actual = Files.readAllLines(SIDECAR);
        if (!expected.equals(actual)) {
            int line = IntStream.range(0, Math.min(expected.size(), actual.size())).filter(i -> !expected.get(i).equals(actual.get(i)))
                    .findFirst().orElse(Math.min(expected.size(), actual.size()));
            Path written = Files.write(Files.createDirectories(Path.of("target")).resolve(SIDECAR.getFileName()), expected);
            throw new AssertionError("k8s/" + SIDECAR + " does not hold k8s/grafana/*.json as they are now, from line " + (line + 1)
                    + "; the file it should be is " + written.toAbsolutePath() + ": cp k8s/target/grafana-dashboards.yaml k8s/deploy/base/");
        }
    }

    /** The ConfigMaps of the dashboards in file-name order, each JSON file verbatim, indented as a YAML block. */
    private static String sidecarYaml() throws IOException {
        StringBuilder yaml = new StringBuilder("""
                # Grafana dashboards for the sidecar of the Grafana Helm chart (label grafana_dashboard: "1"), the same JSON
                # as k8s/grafana/*.json (Kustomize loads no file from outside the base). GrafanaDashboardsTest keeps the two
                # equal and writes this file as it should be to k8s/target/ when they differ.
                """);
        try (Stream<Path> files = Files.list(GRAFANA)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                String name = file.getFileName().toString();
                yaml.append("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: loraplane-dashboard-")
                        .append(name.substring(0, name.length() - ".json".length()))
                        .append("\n  labels:\n    grafana_dashboard: \"1\"\ndata:\n  ").append(name).append(": |\n");
                Files.readString(file).lines().forEach(line -> yaml.append(line.isEmpty() ? "" : "    " + line).append('\n'));
            }
        }
        return yaml.toString();
    }
}
