package dev.loraplane.datasets;

import java.util.Optional;

/**
 * A training file that cannot be used, or an example that cannot be encoded. The message names
 * the line and field where there is one; {@link #problem()} carries them structured.
 */
public final class DatasetException extends RuntimeException {

    private final transient Problem problem;

    public DatasetException(String message) {
        super(message);
        this.problem = null;
    }

    public DatasetException(Problem problem) {
        super(problem.message() + " (" + problem.code().code() + "; " + problem.hint() + ")");
        this.problem = problem;
    }

    /** The file problem behind this exception, when it comes from reading a file. */
    public Optional<Problem> problem() {
        return Optional.ofNullable(problem);
    }
}
