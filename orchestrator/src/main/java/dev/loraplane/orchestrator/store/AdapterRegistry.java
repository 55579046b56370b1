package dev.loraplane.orchestrator.store;

import java.util.List;

/** The adapter registry, read-only: what serving needs to resolve a tenant's adapter by name. */
public interface AdapterRegistry {

    /** The tenant's adapters, each at its newest version. */
    List<Adapter> adapters(String tenant);

    /** Every version of the tenant's adapter {@code name}, newest first; empty when it has none. */
    List<Adapter> adapterVersions(String tenant, String name);
}
