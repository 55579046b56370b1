package dev.loraplane.orchestrator.jobs;

import java.util.Map;

/**
 * Limits on what runs at once, from config. 0 means no limit.
 *
 * @param runningPerTenant jobs one tenant may run at once, unless {@code tenants} says otherwise
 * @param tenants per-tenant overrides of {@code runningPerTenant}
 * @param devicesPerAccelerator devices of a type (cpu, nvidia, amd, apple) all running jobs may hold together
 */
public record Quotas(int runningPerTenant, Map<String, Integer> tenants, Map<String, Integer> devicesPerAccelerator) {

    public static final Quotas NONE = new Quotas(0, Map.of(), Map.of());

    public Quotas {
        tenants = Map.copyOf(tenants);
        devicesPerAccelerator = Map.copyOf(devicesPerAccelerator);
        if (runningPerTenant < 0) {
            throw new IllegalArgumentException("quotas.running_per_tenant is " + runningPerTenant + "; expected 0 (no limit) or more");
        }
        tenants.forEach((tenant, limit) -> {
            if (limit < 0) {
                throw new IllegalArgumentException("quotas.tenants." + tenant + " is " + limit + "; expected 0 (no limit) or more");
            }
        });
        devicesPerAccelerator.forEach((type, limit) -> {
            if (limit < 0) {
                throw new IllegalArgumentException("quotas.devices_per_accelerator." + type + " is " + limit
                        + "; expected 0 (no limit) or more");
            }
        });
    }

    /** How many jobs {@code tenant} may run at once; 0 for no limit. */
    public int runningFor(String tenant) {
        return tenants.getOrDefault(tenant, runningPerTenant);
    }

    /** How many devices of {@code type} may be held at once; 0 for no limit. */
    public int devicesFor(String type) {
        return devicesPerAccelerator.getOrDefault(type, 0);
    }
}
