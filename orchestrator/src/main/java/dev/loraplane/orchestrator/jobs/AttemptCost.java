package dev.loraplane.orchestrator.jobs;

/**
 * What a running attempt has cost so far, as the DCGM cost-attribution split has it: allocated (the
 * devices held × time × price) and effective (the same × the utilization its worker measured); the
 * difference is waste. Allocated time is handed out in pieces ({@link #unbilledDeviceSeconds}) so the
 * cost counters grow while the attempt runs, not only when it ends. An attempt a control plane
 * re-attached to after a restart starts from what the store says the counters were given
 * ({@link #billedUntil}, {@link #effectiveUsd}), so none of its time is billed twice.
 */
final class AttemptCost {

    private final double usdPerDeviceHour;
    private final int devices;
    private final long startedMillis;
    private long billedMillis;
    private long measuredMillis;
    private Double effectiveUsd;

    /**
     * An attempt whose time up to {@code billedMillis} is billed already ({@code startedMillis} for a new
     * one), with {@code effectiveUsd} of effective cost (null: none measured yet); its utilization is
     * measured from there on.
     */
    AttemptCost(double usdPerDeviceHour, int devices, long startedMillis, long billedMillis, Double effectiveUsd) {
        this.usdPerDeviceHour = usdPerDeviceHour;
        this.devices = devices;
        this.startedMillis = startedMillis;
        this.billedMillis = Math.max(startedMillis, billedMillis);
        this.measuredMillis = this.billedMillis;
        this.effectiveUsd = effectiveUsd;
    }

    /** Device-seconds held since the previous call (or the start), and marks them billed. */
    synchronized double unbilledDeviceSeconds(long nowMillis) {
        long from = billedMillis;
        billedMillis = Math.max(billedMillis, nowMillis);
        return Math.max(0, nowMillis - from) / 1000.0 * devices;
    }

    /** Epoch milliseconds up to which its device time is billed. */
    synchronized long billedUntil() {
        return billedMillis;
    }

    /** What {@code deviceSeconds} cost at this attempt's price. */
    double usd(double deviceSeconds) {
        return deviceSeconds / 3600.0 * usdPerDeviceHour;
    }

    /**
     * The devices were busy {@code utilization} (0 to 1) of the time since the previous reading: adds
     * that time's effective cost and returns it.
     */
    synchronized double measured(double utilization, long nowMillis) {
        double seconds = Math.max(0, nowMillis - measuredMillis) / 1000.0;
        measuredMillis = Math.max(measuredMillis, nowMillis);
        double usd = usd(seconds * devices) * Math.max(0, Math.min(1, utilization));
        effectiveUsd = (effectiveUsd == null ? 0 : effectiveUsd) + usd;
        return usd;
    }

    /** Devices held × time since the start × price. */
    double allocatedUsd(long nowMillis) {
        return usd(Math.max(0, nowMillis - startedMillis) / 1000.0 * devices);
    }

    /** The effective cost so far; null until a reading of utilization came. */
    synchronized Double effectiveUsd() {
        return effectiveUsd;
    }
}
