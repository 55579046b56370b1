package dev.loraplane.app;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where loraplane keeps its data on this machine: {@code $LORAPLANE_HOME}, else {@code ~/.loraplane}.
 *
 * @param root the home directory
 * @param database the embedded H2 database's directory
 * @param artifacts training files, checkpoints and adapters, stored by sha256
 * @param models base models in Hugging Face layout
 * @param config the optional configuration file
 */
public record Home(Path root, Path database, Path artifacts, Path models, Path config) {

    static final String ENV = "LORAPLANE_HOME";

    public static Home of(Path root) {
        Path r = root.toAbsolutePath().normalize();
        return new Home(r, r.resolve("db"), r.resolve("artifacts"), r.resolve("models"), r.resolve("config.yaml"));
    }

    /** The home the environment names, or the default under the user's home directory. */
    public static Home fromEnvironment(Map<String, String> env) {
        String configured = env.get(ENV);
        if (configured != null && !configured.isBlank()) {
            return of(Path.of(configured));
        }
        return of(Path.of(System.getProperty("user.home"), ".loraplane"));
    }
}
