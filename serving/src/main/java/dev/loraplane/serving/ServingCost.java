package dev.loraplane.serving;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The cost of the device serving holds, apportioned by generated tokens: every settle prices the time
 * since the previous one and splits it over the (tenant, adapter) pairs by the tokens each generated
 * in that time; time in which nothing was generated is idle. Series:
 * {@code loraplane_cost_usd_total{tenant,accelerator,kind="serving"}},
 * {@code loraplane_serving_adapter_cost_usd_total{adapter}} (the adapter label as
 * {@link AdapterLabels} bounds it) and {@code loraplane_serving_idle_cost_usd_total{accelerator}}.
 * Their sum is the device's whole cost; cost per 1K tokens of an adapter is its cost rate over its
 * token rate, in PromQL.
 */
final class ServingCost implements AutoCloseable {

    private record Share(String tenant, String adapter) {}

    private final MeterRegistry registry;
    private final AdapterLabels labels;
    private final DevicePrice price;
    private final LongSupplier nanos;
    private final Map<Share, Long> pending = new HashMap<>();
    private final Counter idle;
    private long settledAt;
    private ScheduledExecutorService timer;

    ServingCost(MeterRegistry registry, AdapterLabels labels, DevicePrice price, LongSupplier nanos) {
        this.registry = registry;
        this.labels = labels;
        this.price = price;
        this.nanos = nanos;
        this.settledAt = nanos.getAsLong();
        this.idle = Counter.builder("loraplane.serving.idle.cost.usd").description("Cost of serving's device while it generated nothing, in USD")
                .tag("accelerator", price.accelerator()).register(registry);
    }

    /** Settles every {@code periodMillis} on a thread of its own until {@link #close()}. */
    ServingCost start(long periodMillis) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "serving-cost");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::settle, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        return this;
    }

    /** A request of {@code tenant} generated {@code tokens} with {@code adapter} (a label from {@link AdapterLabels}). */
    synchronized void generated(String tenant, String adapter, long tokens) {
        if (tokens > 0) {
            pending.merge(new Share(tenant, adapter), tokens, Long::sum);
        }
    }

    /** Prices the time since the last settle and hands it out by tokens, or to idle when none were generated. */
    synchronized void settle() {
        long now = nanos.getAsLong();
        double usd = Math.max(0, now - settledAt) / 3.6e12 * price.usdPerHour();
        settledAt = now;
        long tokens = pending.values().stream().mapToLong(Long::longValue).sum();
        if (tokens == 0) {
            idle.increment(usd);
            return;
        }
        pending.forEach((share, n) -> {
            double part = usd * n / tokens;
            Counter.builder("loraplane.cost.usd").description("Cost of the accelerator time used, in USD")
                    .tags("tenant", share.tenant(), "accelerator", price.accelerator(), "kind", "serving").register(registry)
                    .increment(part);
            labels.increment("loraplane.serving.adapter.cost.usd", "Cost of serving apportioned by generated tokens, in USD",
                    share.adapter(), part);
        });
        pending.clear();
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
