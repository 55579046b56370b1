package dev.loraplane.orchestrator.cost;

import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Estimates a job's cost from the tokens it will train on and the throughput of its accelerator:
 * measured on this control plane's finished jobs of the same base model and accelerator type when
 * there are some, else the configured figure. Devices are assumed to scale linearly.
 */
public final class CostEstimator {

    /** Training tokens per device-second assumed before anything is measured, by accelerator type (QLoRA on a ~1B model). */
    public static final Map<String, Double> DEFAULT_THROUGHPUT = Map.of("cpu", 150.0, "nvidia", 6000.0, "amd", 4500.0,
            "apple", 900.0);

    private final PriceTable prices;
    private final BiFunction<String, String, Optional<Double>> measured;

    /** @param measured (base model, accelerator type) → tokens per device-second measured so far */
    public CostEstimator(PriceTable prices, BiFunction<String, String, Optional<Double>> measured) {
        this.prices = prices;
        this.measured = measured;
    }

    public PriceTable prices() {
        return prices;
    }

    /**
     * @param configured the base model's tokens per device-second by accelerator type, over {@link #DEFAULT_THROUGHPUT}
     */
    public CostEstimate estimate(String model, Map<String, Double> configured, String type, String product, int devices,
            long tokensPerEpoch, int epochs) {
        long tokens = tokensPerEpoch * epochs;
        Optional<Double> seen = measured.apply(model, type).filter(t -> t > 0);
        double perDevice = seen.orElseGet(() -> configured.getOrDefault(type, DEFAULT_THROUGHPUT.getOrDefault(type, 100.0)));
        double seconds = tokens / (perDevice * devices);
        return new CostEstimate(tokens, perDevice, seen.isPresent(), seconds, prices.cost(type, product, seconds * devices));
    }
}
