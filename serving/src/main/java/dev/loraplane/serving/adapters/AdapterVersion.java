package dev.loraplane.serving.adapters;

import java.util.Objects;

/**
 * One version of a named adapter, as a source knows it.
 *
 * @param name the name requests pass as {@code model}
 * @param version the source's version number; a newer registration has a larger one
 * @param baseModel the base model the source says the adapter belongs to, or an empty string when it
 *     does not know (an adapter directory registered by path); the loader then checks the tensors alone
 * @param identity what makes this version's files these files: the registry's sha256 of the weights,
 *     or the directory of a local adapter
 * @param files how to get the PEFT files onto local disk
 */
public record AdapterVersion(String name, long version, String baseModel, String identity, AdapterFiles files) {

    public AdapterVersion {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(files, "files");
        baseModel = baseModel == null ? "" : baseModel;
    }

    /** The cache key: the files are the same exactly when name, version and identity are. */
    AdapterKey key() {
        return new AdapterKey(name, version, identity);
    }
}
