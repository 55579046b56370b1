package dev.loraplane.engine.tokenizer;

/** A tokenizer that cannot be loaded; the message names the file, the field and what was wrong. */
public final class TokenizerException extends RuntimeException {

    public TokenizerException(String message) {
        super(message);
    }

    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
