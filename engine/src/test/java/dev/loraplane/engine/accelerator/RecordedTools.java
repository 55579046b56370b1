package dev.loraplane.engine.accelerator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link ToolRunner} that answers from recorded outputs, keyed by the command's first words
 * ("nvidia-smi --query-gpu", "amd-smi metric", "ioreg"); a command it has no answer for is "not found
 * on PATH", as on a host without that tool.
 */
final class RecordedTools implements ToolRunner {

    private final Map<String, ToolOutput> answers = new HashMap<>();
    private final List<List<String>> calls = new ArrayList<>();

    /** Answers a command whose words, joined by spaces, start with {@code prefix}, with {@code stdout}. */
    RecordedTools prints(String prefix, String stdout) {
        answers.put(prefix, ToolOutput.of(stdout));
        return this;
    }

    /** Answers a command starting with {@code prefix} with a failure. */
    RecordedTools fails(String prefix, String failure) {
        answers.put(prefix, ToolOutput.failed(failure));
        return this;
    }

    @Override
    public synchronized ToolOutput run(List<String> command) {
        calls.add(command);
        String line = String.join(" ", command);
        return answers.entrySet().stream()
                .filter(e -> line.startsWith(e.getKey()))
                .max(Map.Entry.comparingByKey((a, b) -> Integer.compare(a.length(), b.length())))
                .map(Map.Entry::getValue)
                .orElse(ToolOutput.failed(command.get(0) + " not found on PATH"));
    }

    /** How many commands started with {@code tool}. */
    synchronized long callsTo(String tool) {
        return calls.stream().filter(c -> c.get(0).equals(tool)).count();
    }
}
