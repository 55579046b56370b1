package dev.loraplane.orchestrator.config;

/**
 * The configuration is wrong: the message names where (the file and line, the environment variable
 * or the command-line option), the key, the bad value and what was expected.
 */
public final class ConfigException extends IllegalArgumentException {

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
