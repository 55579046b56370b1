package dev.loraplane.serving.adapters;

/**
 * The adapter registry could not be asked: it did not answer, or answered that it is failing (5xx).
 * A request for an adapter not in memory then fails with HTTP 503 and {@code Retry-After}; adapters
 * already in memory go on being served for {@link AdapterCache.Builder#optStaleWindow the stale window}.
 */
public final class RegistryUnavailableException extends RuntimeException {

    public RegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The delay to suggest in {@code Retry-After}: a restarting control plane is back within seconds. */
    public static int retryAfterSeconds() {
        return 5;
    }
}
