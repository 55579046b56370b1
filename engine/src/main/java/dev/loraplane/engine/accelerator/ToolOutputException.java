package dev.loraplane.engine.accelerator;

/**
 * A tool printed something its parser cannot read. The message names the tool, the place and what
 * was expected; plugins turn it into {@link Detection#absent} rather than letting it escape.
 */
final class ToolOutputException extends RuntimeException {

    ToolOutputException(String message) {
        super(message);
    }

    ToolOutputException(String message, Throwable cause) {
        super(message, cause);
    }
}
