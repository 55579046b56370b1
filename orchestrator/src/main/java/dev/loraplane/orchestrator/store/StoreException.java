package dev.loraplane.orchestrator.store;

/** The store could not do what was asked: the database failed, or a row was not in the expected state. */
public class StoreException extends RuntimeException {

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
