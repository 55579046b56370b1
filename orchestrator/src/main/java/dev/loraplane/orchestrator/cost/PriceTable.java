package dev.loraplane.orchestrator.cost;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * USD per device-hour, by accelerator type and optionally product: the key {@code nvidia} prices
 * every NVIDIA device, {@code nvidia:H100} those whose product contains "H100" (the longest match
 * wins). A CPU slot is a device too, so CPU training has a cost.
 */
public record PriceTable(Map<String, Double> usdPerDeviceHour) {

    /**
     * On-demand cloud list prices of late 2025, rounded: a starting point that config replaces.
     * cpu is one training slot (a few cores of a general-purpose instance).
     */
    public static final PriceTable DEFAULTS = new PriceTable(Map.ofEntries(
            Map.entry("cpu", 0.10),
            Map.entry("nvidia", 2.00),
            Map.entry("nvidia:T4", 0.35),
            Map.entry("nvidia:L4", 0.80),
            Map.entry("nvidia:A10", 1.00),
            Map.entry("nvidia:L40S", 1.60),
            Map.entry("nvidia:A100", 1.80),
            Map.entry("nvidia:H100", 3.00),
            Map.entry("nvidia:H200", 3.70),
            Map.entry("nvidia:B200", 5.50),
            Map.entry("amd", 2.00),
            Map.entry("amd:MI250", 1.80),
            Map.entry("amd:MI300X", 2.60),
            Map.entry("apple", 0.20)));

    public PriceTable {
        for (Map.Entry<String, Double> e : usdPerDeviceHour.entrySet()) {
            if (e.getValue() == null || e.getValue() < 0 || e.getValue().isNaN()) {
                throw new IllegalArgumentException("price of " + e.getKey() + " is " + e.getValue()
                        + "; expected USD per device-hour, 0 or more");
            }
        }
        usdPerDeviceHour = Map.copyOf(usdPerDeviceHour);
    }

    /** These prices over the defaults: a key given here replaces the default's, whatever their case. */
    public PriceTable over(PriceTable defaults) {
        Map<String, Double> merged = new LinkedHashMap<>(defaults.usdPerDeviceHour);
        usdPerDeviceHour.keySet().forEach(key -> merged.keySet().removeIf(key::equalsIgnoreCase));
        merged.putAll(usdPerDeviceHour);
        return new PriceTable(merged);
    }

    /** The price of one device-hour of {@code type} {@code product} (product may be null). */
    public double usdPerHour(String type, String product) {
        String lower = product == null ? "" : product.toLowerCase(Locale.ROOT);
        return usdPerDeviceHour.entrySet().stream()
                .filter(e -> e.getKey().startsWith(type + ":")
                        && lower.contains(e.getKey().substring(type.length() + 1).toLowerCase(Locale.ROOT)))
                .max(Comparator.comparingInt(e -> e.getKey().length()))
                .map(Map.Entry::getValue)
                .orElse(usdPerDeviceHour.getOrDefault(type, 0.0));
    }

    /** What {@code deviceSeconds} of {@code type} {@code product} cost. */
    public double cost(String type, String product, double deviceSeconds) {
        return deviceSeconds / 3600.0 * usdPerHour(type, product);
    }
}
