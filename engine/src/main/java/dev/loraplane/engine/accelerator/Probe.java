package dev.loraplane.engine.accelerator;

import java.util.function.Supplier;

/**
 * The outcome of asking a GPU tool once: its parsed report, or why there is none.
 *
 * @param report what the tool reported, or {@code null}
 * @param failure why there is no report, or {@code null}
 */
record Probe(GpuReport report, String failure) {

    static Probe failed(String failure) {
        return new Probe(null, failure);
    }

    /** Runs a parser, turning output it cannot read into a failure that says so. */
    static Probe parse(Supplier<GpuReport> parser) {
        try {
            return new Probe(parser.get(), null);
        } catch (ToolOutputException e) {
            return failed(e.getMessage());
        }
    }
}
