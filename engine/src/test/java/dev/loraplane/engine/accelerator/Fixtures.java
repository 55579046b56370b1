package dev.loraplane.engine.accelerator;

import dev.loraplane.engine.SharedData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The recorded tool outputs in {@code <shared>/fixtures/accelerators}. A test that needs one skips,
 * loudly, when the folder is absent (a fresh clone without {@code ../shared}).
 */
final class Fixtures {

    private Fixtures() {}

    static Path dir() {
        return SharedData.require("fixtures/accelerators");
    }

    /** The content of one recorded output, e.g. {@code nvidia-smi-q-x-rtx3080-driver595.xml}. */
    static String read(String name) {
        try {
            return Files.readString(dir().resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
