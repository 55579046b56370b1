package dev.loraplane.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.orchestrator.cost.PriceTable;
import dev.loraplane.orchestrator.executor.LocalExecutor;
import dev.loraplane.orchestrator.jobs.Quotas;
import dev.loraplane.orchestrator.jobs.RetryPolicy;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control plane as one process: what its parts show together on its port. */
class ControlPlaneTest {

    @TempDir
    Path dir;

    @Test
    void metricsShowTheDevicesOfEveryExecutorAsCapacityDoes() throws Exception {
        Vertx vertx = Vertx.vertx();
        ControlPlane plane = null;
        try {
            ControlPlane.Config config = new ControlPlane.Config(dir, "127.0.0.1", 0, Map.of(), Map.of(), null,
                    new LocalExecutor.Config(List.of("loraplane", "worker"), 3, List.of(), dir.resolve("work"), 5), Quotas.NONE,
                    RetryPolicy.DEFAULT, PriceTable.DEFAULTS, 1 << 20, new ControlPlane.Agents(Set.of(), 30));
            plane = ControlPlane.start(vertx, config).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            WebClient http = WebClient.create(vertx);
            int port = plane.port();

            String capacity = http.get(port, "127.0.0.1", "/v1/capacity").send().toCompletionStage().toCompletableFuture()
                    .get(30, TimeUnit.SECONDS).bodyAsString();
            assertThat(capacity).contains("\"executor\":\"local\"", "\"total\":3", "\"largest_free\":3");
            List<String> samples = List.of();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (samples.size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(100);
                samples = http.get(port, "127.0.0.1", "/metrics").send().toCompletionStage().toCompletableFuture()
                        .get(30, TimeUnit.SECONDS).bodyAsString().lines().filter(l -> l.startsWith("loraplane_capacity_")).toList();
            }
            assertThat(samples).hasSize(3).allSatisfy(l -> assertThat(l).contains("accelerator=\"cpu\"", "executor=\"local\""))
                    .anySatisfy(l -> assertThat(l).contains("state=\"total\"").endsWith(" 3.0"))
                    .anySatisfy(l -> assertThat(l).contains("state=\"free\"").endsWith(" 3.0"))
                    .anySatisfy(l -> assertThat(l).startsWith("loraplane_capacity_largest_free_devices{").endsWith(" 3.0"));
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            if (plane != null) {
                plane.close();
            }
        }
    }
}
