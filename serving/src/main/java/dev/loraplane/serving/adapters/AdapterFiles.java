package dev.loraplane.serving.adapters;

import java.nio.file.Path;

/**
 * Where a version's PEFT files ({@code adapter_config.json}, {@code adapter_model.safetensors}) come
 * from. A local adapter is already a directory; a registry adapter is downloaded once into a local
 * cache directory. The adapter cache calls this on its loader threads, never on a request's thread.
 */
@FunctionalInterface
public interface AdapterFiles {

    /** A local directory holding the adapter's PEFT files; may block while they are fetched. */
    Path materialize();
}
