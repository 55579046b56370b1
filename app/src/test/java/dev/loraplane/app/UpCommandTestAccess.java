package dev.loraplane.app;

import dev.loraplane.orchestrator.ControlPlane;
import java.nio.file.Path;
import java.util.List;

/** The laptop configuration of {@code loraplane up} on a free port, for tests outside this package. */
public final class UpCommandTestAccess {

    private UpCommandTestAccess() {}

    public static ControlPlane.Config laptop(Path dataDir, Path tiny) {
        return UpCommand.config(UpCommandTest.laptopOnAnyPort(), dataDir, tiny, List::of);
    }
}
