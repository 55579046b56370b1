package dev.loraplane.serving.adapters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Adapter directories registered by name at run time: what vLLM's {@code POST /v1/load_lora_adapter
 * {"lora_name", "lora_path"}} and {@code /v1/unload_lora_adapter} act on. Registering a name again is
 * a new version of it, which the cache hot-swaps in; version numbers of a name keep growing across
 * unregistrations, so a name registered again never reuses an old number.
 */
public final class LocalAdapters implements AdapterSource {

    private final Map<String, AdapterVersion> adapters = new ConcurrentHashMap<>();
    private final Map<String, Long> lastVersions = new HashMap<>();

    /**
     * Registers {@code dir} as the newest version of {@code name}. The files are checked when the
     * adapter loads, not here.
     *
     * @throws IllegalArgumentException when {@code name} is blank or {@code dir} is not a directory
     */
    public synchronized AdapterVersion register(String name, Path dir) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("lora_name is blank; name the adapter as requests will pass it in model");
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("lora_path " + dir + " is not a directory; it must hold a PEFT adapter"
                    + " (adapter_config.json, adapter_model.safetensors)");
        }
        Path absolute = dir.toAbsolutePath().normalize();
        long version = lastVersions.merge(name, 1L, Long::sum);
        AdapterVersion registered = new AdapterVersion(name, version, "", absolute.toString(), () -> absolute);
        adapters.put(name, registered);
        return registered;
    }

    /** Forgets {@code name}; false when it was not registered. */
    public synchronized boolean unregister(String name) {
        return adapters.remove(name) != null;
    }

    /** The names registered now, sorted. */
    public List<String> names() {
        return adapters.keySet().stream().sorted().toList();
    }

    @Override
    public Optional<AdapterVersion> resolve(String name) {
        return Optional.ofNullable(adapters.get(name));
    }
}
