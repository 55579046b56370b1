package dev.loraplane.orchestrator.evals;

/**
 * An eval that cannot run as asked: a dataset without references, a missing few-shot file, a model no
 * one serves. {@code param} names the request field at fault, as the API's error body does.
 */
public final class InvalidEvalException extends RuntimeException {

    private final String param;
    private final String code;

    public InvalidEvalException(String param, String code, String message) {
        super(message);
        this.param = param;
        this.code = code;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }
}
