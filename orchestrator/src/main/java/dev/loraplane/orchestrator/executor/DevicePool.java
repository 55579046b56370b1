package dev.loraplane.orchestrator.executor;

/**
 * Devices of one type and product that one executor can hand out.
 *
 * @param executor the executor's name
 * @param node the machine within the executor the devices are on: the host name, an agent's id
 * @param type cpu, nvidia, amd or apple
 * @param product the product the vendor tool reports ("NVIDIA H100 80GB HBM3"), or the host's CPU for cpu slots
 * @param total devices in the pool
 * @param free devices not held by an attempt
 */
public record DevicePool(String executor, String node, String type, String product, int total, int free) {

    /** This pool with {@code n} more devices held. */
    public DevicePool take(int n) {
        return new DevicePool(executor, node, type, product, total, free - n);
    }

    /** Where an attempt on this pool ran, as its attempt row says: {@code local}, {@code agent:mac-studio}. */
    public String where() {
        return executor.equals("local") ? executor : executor + ":" + node;
    }
}
