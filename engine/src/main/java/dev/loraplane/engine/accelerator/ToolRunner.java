package dev.loraplane.engine.accelerator;

import java.time.Duration;
import java.util.List;

/**
 * Runs a vendor tool (nvidia-smi, rocm-smi, ioreg …) and hands back what it printed. Plugins see
 * tools only through this, so tests answer with recorded outputs.
 */
@FunctionalInterface
interface ToolRunner {

    /** How long a tool may take before it is killed and reported as hanging. */
    Duration TIMEOUT = Duration.ofSeconds(5);

    /** Runs {@code command}; never throws and never waits longer than the runner's timeout. */
    ToolOutput run(List<String> command);

    /** Runs real processes, found on {@code PATH}, with {@link #TIMEOUT}. */
    static ToolRunner system() {
        return new ProcessToolRunner(TIMEOUT);
    }
}
