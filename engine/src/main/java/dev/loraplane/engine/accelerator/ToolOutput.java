package dev.loraplane.engine.accelerator;

/**
 * What one tool run gave: its standard output, or why there is none.
 *
 * @param stdout everything the tool printed on standard output; empty when it failed
 * @param failure why the tool gave no usable output ("nvidia-smi not found on PATH", its error
 *     message, a timeout); {@code null} when it succeeded
 */
record ToolOutput(String stdout, String failure) {

    static ToolOutput of(String stdout) {
        return new ToolOutput(stdout, null);
    }

    static ToolOutput failed(String failure) {
        return new ToolOutput("", failure);
    }

    boolean ok() {
        return failure == null;
    }
}
