package dev.loraplane.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A $3.60-an-hour device ($0.001 a second) shared by two tenants' adapters, then idle. */
class ServingCostTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicLong clock = new AtomicLong();
    private final AdapterLabels labels = new AdapterLabels(registry, 10, clock::get);
    private final ServingCost cost = new ServingCost(registry, labels, new DevicePrice("nvidia", 3.60), clock::get);

    private double value(String series) {
        String line = registry.scrape().lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + series + " in\n" + registry.scrape()));
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    @Test
    void eachSecondsCostGoesToTheAdaptersByTheTokensTheyGeneratedAndTheRestIsIdle() {
        cost.generated("acme", labels.request("support-bot"), 300);
        cost.generated("globex", labels.request("sql-bot"), 100);
        cost.generated("acme", labels.request("support-bot"), 200);
        clock.addAndGet(10_000_000_000L);   // 10 s: $0.01, split 500 : 100
        cost.settle();
        clock.addAndGet(5_000_000_000L);    // 5 s with nothing generated
        cost.settle();

        assertThat(value("loraplane_serving_adapter_cost_usd_total{adapter=\"support-bot\"}")).isCloseTo(0.01 * 5 / 6, within(1e-12));
        assertThat(value("loraplane_serving_adapter_cost_usd_total{adapter=\"sql-bot\"}")).isCloseTo(0.01 / 6, within(1e-12));
        assertThat(value("loraplane_cost_usd_total{accelerator=\"nvidia\",kind=\"serving\",tenant=\"acme\"}"))
                .isCloseTo(0.01 * 5 / 6, within(1e-12));
        assertThat(value("loraplane_cost_usd_total{accelerator=\"nvidia\",kind=\"serving\",tenant=\"globex\"}"))
                .isCloseTo(0.01 / 6, within(1e-12));
        assertThat(value("loraplane_serving_idle_cost_usd_total{accelerator=\"nvidia\"}")).isCloseTo(0.005, within(1e-12));
    }
}
