package dev.loraplane.engine;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The reference data beside the checkout ({@code ../shared}): a trained tiny Llama, golden outputs
 * and real GPU-tool outputs. Tests that need it skip loudly when it is absent (a user's fresh clone);
 * CI always has it.
 */
public final class SharedData {

    private SharedData() {}

    /** The shared folder, from {@code -Dloraplane.shared} (set by the build) or {@code ../shared}. */
    public static Path root() {
        String configured = System.getProperty("loraplane.shared");
        return (configured != null ? Path.of(configured) : Path.of("..", "..", "shared")).toAbsolutePath().normalize();
    }

    /** A path under the shared folder; skips the calling test, loudly, when it is absent. */
    public static Path require(String relative) {
        Path path = root().resolve(relative);
        if (!Files.exists(path)) {
            String message = "SKIPPED: reference data " + path + " is absent. This test checks loraplane against it;"
                    + " place the project's shared/ folder beside the checkout to run it.";
            System.err.println("*** " + message);
            assumeTrue(false, message);
        }
        return path;
    }
}
