package dev.loraplane.orchestrator.cost;

/**
 * What a job should take before it runs.
 *
 * @param tokens tokens it will train on, every epoch counted
 * @param tokensPerSecond the throughput assumed, per device
 * @param measured whether that throughput was measured on earlier jobs (else it is configured)
 * @param seconds wall-clock seconds on the devices asked for
 * @param usd device-seconds × price
 */
public record CostEstimate(long tokens, double tokensPerSecond, boolean measured, double seconds, double usd) {}
