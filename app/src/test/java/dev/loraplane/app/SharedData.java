package dev.loraplane.app;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The reference data in {@code ../shared}; tests that need it skip loudly when it is absent. */
final class SharedData {

    private SharedData() {}

    static Path require(String relative) {
        String configured = System.getProperty("loraplane.shared");
        Path path = (configured != null ? Path.of(configured) : Path.of("..", "..", "shared")).resolve(relative)
                .toAbsolutePath().normalize();
        if (!Files.exists(path)) {
            String message = "SKIPPED: reference data " + path + " is absent; place the project's shared/ folder beside the checkout to run this test.";
            System.err.println("*** " + message);
            assumeTrue(false, message);
        }
        return path;
    }
}
