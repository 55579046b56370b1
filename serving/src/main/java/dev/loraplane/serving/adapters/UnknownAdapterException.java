package dev.loraplane.serving.adapters;

/** No source knows the adapter name (404). */
public final class UnknownAdapterException extends AdapterException {

    public UnknownAdapterException(String adapter) {
        super(adapter, "adapter '" + adapter + "' does not exist; load it with /v1/load_lora_adapter or register it"
                + " in the control plane, and check /v1/models for the names served", null);
    }
}
