package dev.loraplane.app.bench;

import dev.loraplane.engine.Directories;
import dev.loraplane.engine.model.LayerWeights;
import dev.loraplane.engine.model.Linear;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.tiny.Preset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;

/** What the bench commands share: the preset option, the NF4 bits figure, rounding and the temp directory. */
final class BenchSupport {

    private BenchSupport() {}

    /** The built-in preset a {@code --preset} value names. */
    static Preset preset(String name) {
        try {
            return Preset.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--preset '" + name + "' is not a preset; expected tiny or bench");
        }
    }

    /** Bits each quantized projection parameter costs in memory, codes and scales included. */
    static double quantizedBitsPerParam(Llama model) {
        long bytes = 0;
        long params = 0;
        for (LayerWeights layer : model.weights().layers()) {
            for (Linear linear : layer.projections().values()) {
                bytes += linear.residentBytes();
                params += (long) linear.inFeatures() * linear.outFeatures();
            }
        }
        return Math.round(bytes * 8.0 / params * 10000) / 10000.0;
    }

    static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    static void deleteTree(Path dir) {
        try {
            Directories.deleteTree(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
