package dev.loraplane.app;

import java.util.List;

/**
 * The outcome of one {@code loraplane doctor} check.
 *
 * @param name what was checked, e.g. "java"
 * @param ok whether it passed
 * @param summary one line on what was found
 * @param details further lines shown under the summary
 * @param fix one line on how to fix a failure; empty when it passed
 */
record Check(String name, boolean ok, String summary, List<String> details, String fix) {

    Check {
        details = List.copyOf(details);
    }

    static Check pass(String name, String summary, List<String> details) {
        return new Check(name, true, summary, details, "");
    }

    static Check fail(String name, String summary, String fix) {
        return new Check(name, false, summary, List.of(), fix);
    }
}
