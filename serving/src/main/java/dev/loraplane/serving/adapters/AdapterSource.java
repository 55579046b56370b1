package dev.loraplane.serving.adapters;

import java.util.Optional;

/**
 * Resolves an adapter name to its newest version. Implementations: {@link LocalAdapters} (directories
 * registered at run time, as vLLM's {@code /v1/load_lora_adapter} does) and {@link
 * CompositeAdapterSource} (several sources, first answer wins); the control plane's registry over
 * HTTP ({@code GET /v1/adapters/{name}}, files from {@code /v1/adapters/{name}/content}) is another.
 */
public interface AdapterSource {

    /**
     * The newest version of {@code name}, or empty when this source does not know the name. May block
     * (a remote registry is asked over the network): {@link AdapterCache} calls it off the request's
     * thread, at most once per resolve TTL and name.
     */
    Optional<AdapterVersion> resolve(String name);
}
