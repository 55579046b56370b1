package dev.loraplane.serving.adapters;

/**
 * A request named an adapter this server cannot serve. Each subclass maps to one HTTP status; an
 * adapter whose files are invalid fails with the engine's {@link dev.loraplane.engine.lora.LoraException}
 * instead.
 */
public abstract sealed class AdapterException extends RuntimeException
        permits UnknownAdapterException, AdapterBaseMismatchException, AdapterRankException {

    private final String adapter;

    AdapterException(String adapter, String message, Throwable cause) {
        super(message, cause);
        this.adapter = adapter;
    }

    /** The adapter name the request used. */
    public String adapter() {
        return adapter;
    }
}
