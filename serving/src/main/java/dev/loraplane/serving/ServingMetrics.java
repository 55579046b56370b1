package dev.loraplane.serving;

import dev.loraplane.serving.batch.Completion;
import dev.loraplane.serving.batch.StepStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * Serving's Prometheus series ({@code loraplane_} prefix): request latencies (queue, time to first
 * token, inter-token, end to end) as histograms in seconds, running and waiting requests, prompt and
 * generated tokens, batch size, and requests, tokens and cost per adapter — the adapter label bounded to
 * the first {@code maxAdapterLabels} adapters seen, the rest counted as {@code other}. With a
 * {@link DevicePrice} the device's cost is apportioned by generated tokens ({@link ServingCost}).
 */
public final class ServingMetrics {

    static final String OTHER = "other";
    static final String BASE = "base";

    private final MeterRegistry registry;
    private final int maxAdapterLabels;
    private final Set<String> labelled = new LinkedHashSet<>();
    private final Timer queue;
    private final Timer firstToken;
    private final Timer interToken;
    private final Timer endToEnd;
    private final Counter promptTokens;
    private final Counter generatedTokens;
    private final DistributionSummary batchSize;
    private final ServingCost cost;

    /**
     * @param running requests being decoded now
     * @param waiting requests waiting for a row
     */
    public ServingMetrics(MeterRegistry registry, int maxAdapterLabels, IntSupplier running, IntSupplier waiting) {
        this(registry, maxAdapterLabels, running, waiting, null);
    }

    /**
     * @param price what serving's device costs, settled every second into the cost series; null for
     *     no cost series (nobody said what the device costs)
     */
    public ServingMetrics(MeterRegistry registry, int maxAdapterLabels, IntSupplier running, IntSupplier waiting,
            DevicePrice price) {
        this.registry = registry;
        this.cost = price == null ? null : new ServingCost(registry, price, System::nanoTime).start(1000);
        this.maxAdapterLabels = maxAdapterLabels;
        this.queue = latency("loraplane.serving.queue", "waiting for a batch row");
        this.firstToken = latency("loraplane.serving.time.to.first.token", "submitted until the first token");
        this.interToken = latency("loraplane.serving.inter.token", "gap between successive tokens of a request");
        this.endToEnd = latency("loraplane.serving.request", "submitted until the last token");
        this.promptTokens = Counter.builder("loraplane.serving.prompt.tokens").description("prompt tokens of finished requests")
                .register(registry);
        this.generatedTokens = Counter.builder("loraplane.serving.generated.tokens").description("tokens generated")
                .register(registry);
        this.batchSize = DistributionSummary.builder("loraplane.serving.batch.size").description("sequences decoded per step")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128).register(registry);
        Gauge.builder("loraplane.serving.requests.running", running::getAsInt).description("requests being decoded")
                .register(registry);
        Gauge.builder("loraplane.serving.requests.waiting", waiting::getAsInt).description("requests waiting for a row")
                .register(registry);
    }

    private Timer latency(String name, String description) {
        return Timer.builder(name).description(description)
                .serviceLevelObjectives(Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
                        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
                        Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
                        Duration.ofSeconds(60))
                .register(registry);
    }

    /** A finished request of {@code tenant} for {@code adapter} (null: the base model). */
    public void completed(String tenant, String adapter, Completion completion) {
        queue.record(completion.timings().queue());
        if (completion.completionTokens() > 0) {
            firstToken.record(completion.timings().timeToFirstToken());
        }
        completion.timings().interToken().forEach(interToken::record);
        endToEnd.record(completion.timings().endToEnd());
        promptTokens.increment(completion.promptTokens());
        generatedTokens.increment(completion.completionTokens());
        String label = label(adapter);
        Counter.builder("loraplane.serving.adapter.requests").description("finished requests by adapter")
                .tag("adapter", label).register(registry).increment();
        Counter.builder("loraplane.serving.adapter.generated.tokens").description("tokens generated by adapter")
                .tag("adapter", label).register(registry).increment(completion.completionTokens());
        if (cost != null) {
            cost.generated(tenant == null ? OTHER : tenant, label, completion.completionTokens());
        }
    }

    /** Settles the last second's cost and stops settling. */
    public void close() {
        if (cost != null) {
            cost.settle();
            cost.close();
        }
    }

    /** One decode step. */
    public void step(StepStats stats) {
        batchSize.record(stats.rows());
    }

    private synchronized String label(String adapter) {
        if (adapter == null) {
            return BASE;
        }
        if (labelled.contains(adapter)) {
            return adapter;
        }
        if (labelled.size() < maxAdapterLabels) {
            labelled.add(adapter);
            return adapter;
        }
        return OTHER;
    }
}
