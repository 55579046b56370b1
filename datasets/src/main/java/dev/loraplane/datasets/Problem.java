package dev.loraplane.datasets;

import java.util.Objects;

/**
 * One thing wrong with a training file.
 *
 * @param line the 1-based line number, or 0 for a problem with the whole file
 * @param field the field at fault, e.g. {@code messages[1].role}, or null for the whole line
 * @param code the kind of problem
 * @param message what is wrong, naming the line, the field and the bad value, e.g. {@code line 17:
 *     messages[1].role is 'assitant'; expected one of system, user, assistant}
 * @param hint how to fix it
 */
public record Problem(long line, String field, ProblemCode code, String message, String hint) {

    public Problem {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(hint, "hint");
    }

    /** A problem on one line; {@code detail} is the message without the {@code line N: } prefix. */
    public static Problem at(long line, String field, ProblemCode code, String detail) {
        return new Problem(line, field, code, "line " + line + ": " + detail, code.hint());
    }

    /** A problem with the whole file. */
    public static Problem ofFile(ProblemCode code, String detail) {
        return new Problem(0, null, code, detail, code.hint());
    }

    @Override
    public String toString() {
        return code.code() + ": " + message;
    }
}
