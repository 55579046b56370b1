package dev.loraplane.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Three adapter labels on a clock the test drives: an adapter that gets busy after the labels were
 * handed out takes the quietest one's place at the next minute, and the adapter that lost it has no
 * series left; at no point are more than three adapters named.
 */
class AdapterLabelsTest {

    private static final int CAP = 3;
    private static final String REQUESTS = "loraplane.serving.adapter.requests";
    private static final Pattern ADAPTER = Pattern.compile("adapter=\"([^\"]*)\"");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicLong clock = new AtomicLong();
    private final AdapterLabels labels = new AdapterLabels(registry, CAP, clock::get);

    private void requests(String adapter, int n) {
        for (int i = 0; i < n; i++) {
            labels.increment(REQUESTS, "finished requests by adapter", labels.request(adapter), 1);
            assertThat(labelled()).as("labels after a request for %s", adapter).filteredOn(l -> !l.equals("base"))
                    .hasSizeLessThanOrEqualTo(CAP + 1);
        }
    }

    /** The adapter labels on any series now. */
    private Set<String> labelled() {
        Set<String> names = new TreeSet<>();
        registry.scrape().lines().filter(l -> !l.startsWith("#")).forEach(l -> {
            Matcher m = ADAPTER.matcher(l);
            if (m.find()) {
                names.add(m.group(1));
            }
        });
        return names;
    }

    private double requestsOf(String adapter) {
        String series = "loraplane_serving_adapter_requests_total{adapter=\"" + adapter + "\"} ";
        return registry.scrape().lines().filter(l -> l.startsWith(series)).mapToDouble(l -> Double.parseDouble(l.substring(series.length())))
                .findFirst().orElseThrow(() -> new AssertionError("no " + series + "in\n" + registry.scrape()));
    }

    @Test
    void anAdapterBusyLaterTakesTheQuietestPlaceAtTheNextMinuteAndTheLoserSeriesGo() {
        ServingCost cost = new ServingCost(registry, labels, new DevicePrice("nvidia", 3.60), clock::get);
        requests("support-bot", 5);
        requests("sql-bot", 4);
        requests("quiet-bot", 1);
        requests("latecomer", 2);
        requests("hot-bot", 10);
        assertThat(labelled()).containsExactlyInAnyOrder("support-bot", "sql-bot", "quiet-bot", "other");
        assertThat(requestsOf("other")).as("latecomer and hot-bot, while the three places were taken").isEqualTo(12);
        cost.generated("acme", labels.request("quiet-bot"), 100);   // its cost is settled after it lost its place

        clock.addAndGet(AdapterLabels.RERANK.toNanos() + 1);
        requests("hot-bot", 1);
        assertThat(labelled()).as("hot-bot (10) passed quiet-bot (2); latecomer (2) passed nobody")
                .containsExactlyInAnyOrder("support-bot", "sql-bot", "hot-bot", "other");
        assertThat(requestsOf("hot-bot")).as("counted under its own name from the re-rank on").isEqualTo(1);
        assertThat(requestsOf("support-bot")).isEqualTo(5);
        requests("quiet-bot", 1);
        assertThat(requestsOf("other")).as("quiet-bot's requests now count as other").isEqualTo(13);

        cost.settle();
        assertThat(labelled()).doesNotContain("quiet-bot");
        String otherCost = "loraplane_serving_adapter_cost_usd_total{adapter=\"other\"} ";
        assertThat(registry.scrape().lines().filter(l -> l.startsWith(otherCost)).mapToDouble(l -> Double.parseDouble(
                l.substring(otherCost.length()))).sum()).as("a minute at $0.001 a second").isCloseTo(0.06, within(1e-6));
    }

    @Test
    void aTieKeepsItsPlaceAndTheBaseModelTakesNone() {
        requests("support-bot", 3);
        requests("sql-bot", 3);
        requests("quiet-bot", 3);
        requests(null, 50);
        requests("latecomer", 3);
        clock.addAndGet(AdapterLabels.RERANK.toNanos() * 2);
        requests("support-bot", 1);
        assertThat(labelled()).containsExactlyInAnyOrder("support-bot", "sql-bot", "quiet-bot", "base", "other");
        assertThat(requestsOf("base")).isEqualTo(50);
    }
}
