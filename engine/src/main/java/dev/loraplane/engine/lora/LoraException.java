package dev.loraplane.engine.lora;

/** An adapter that is malformed, unsupported, or does not fit the model it is loaded onto. */
public final class LoraException extends RuntimeException {

    public LoraException(String message) {
        super(message);
    }

    public LoraException(String message, Throwable cause) {
        super(message, cause);
    }
}
