package dev.loraplane.orchestrator.executor;

/**
 * Devices of one type and product that one executor can hand out.
 *
 * @param executor the executor's name
 * @param type cpu, nvidia, amd or apple
 * @param product the product the vendor tool reports ("NVIDIA H100 80GB HBM3"), or the host's CPU for cpu slots
 * @param total devices in the pool
 * @param free devices not held by an attempt
 */
public record DevicePool(String executor, String type, String product, int total, int free) {

    /** This pool with {@code n} more devices held. */
    public DevicePool take(int n) {
        return new DevicePool(executor, type, product, total, free - n);
    }
}
