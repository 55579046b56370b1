package dev.loraplane.engine.train;

/**
 * A training run that cannot go on.
 *
 * @see #code() the machine-readable reason the worker reports
 */
public final class TrainingException extends RuntimeException {

    private final String code;

    public TrainingException(String code, String message) {
        super(message);
        this.code = code;
    }

    public TrainingException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** e.g. {@code loss_not_finite}, {@code no_training_rows}, {@code bad_checkpoint}. */
    public String code() {
        return code;
    }
}
