package dev.loraplane.serving.adapters;

/** What the adapter cache keys a loaded adapter by: one version of one name. */
record AdapterKey(String name, long version, String identity) {}
