package dev.loraplane.engine.runtime;

/** libtorch could not be loaded, or loaded and could not compute. */
public final class TorchUnavailableException extends RuntimeException {

    public TorchUnavailableException(String message) {
        super(message);
    }

    public TorchUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
