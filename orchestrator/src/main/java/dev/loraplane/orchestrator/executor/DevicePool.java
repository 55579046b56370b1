package dev.loraplane.orchestrator.executor;

/**
 * Devices of one type and product that one executor can hand out.
 *
 * <p>An attempt's devices are all on one machine, so a pool that spans machines (a cluster's nodes)
 * says how many it has, and has free, on the largest of them: two nodes with two free GPUs each have
 * four free devices, yet no room for a four-GPU attempt.
 *
 * @param executor the executor's name
 * @param node the machine within the executor the devices are on: the host name, an agent's id; for a
 *     pool over many machines, where they are (a Kubernetes namespace)
 * @param type cpu, nvidia, amd or apple
 * @param product the product the vendor tool reports ("NVIDIA H100 80GB HBM3"), or the host's CPU for cpu slots
 * @param total devices in the pool
 * @param free devices not held by an attempt, nor, on a cluster, by other workloads' pods
 * @param largestTotal the most devices on one machine of the pool: the largest attempt it can ever take
 * @param largestFree the most free devices on one machine: the largest attempt it can take now
 */
public record DevicePool(String executor, String node, String type, String product, int total, int free, int largestTotal,
        int largestFree) {

    /** A pool on one machine: all its devices, and all its free ones, are together. */
    public DevicePool(String executor, String node, String type, String product, int total, int free) {
        this(executor, node, type, product, total, free, total, free);
    }

    /**
     * This pool with {@code n} more devices held. Where in a pool over many machines they are taken is
     * not known, so the largest free count on one machine drops by {@code n} too: it may be that one.
     */
    public DevicePool take(int n) {
        return new DevicePool(executor, node, type, product, total, free - n, largestTotal, Math.max(0, largestFree - n));
    }

    /** Whether an attempt of {@code n} devices has room on one machine now. */
    public boolean fits(int n) {
        return largestFree >= n;
    }

    /** Where an attempt on this pool ran, as its attempt row says: {@code local}, {@code agent:mac-studio}. */
    public String where() {
        return executor.equals("local") ? executor : executor + ":" + node;
    }
}
