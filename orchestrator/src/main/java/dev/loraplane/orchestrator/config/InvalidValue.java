package dev.loraplane.orchestrator.config;

/**
 * A value of the right type that is still wrong, thrown while a section is built; the loader puts
 * the section's path before {@code key} and says where the value came from.
 */
final class InvalidValue extends IllegalArgumentException {

    private final String key;
    private final String problem;

    /**
     * @param key the key within its section, empty for the section's own value
     * @param problem what is wrong, as the rest of a sentence: "is 70000; expected 0 to 65535"
     */
    InvalidValue(String key, String problem) {
        super(key.isEmpty() ? problem : key + " " + problem);
        this.key = key;
        this.problem = problem;
    }

    String key() {
        return key;
    }

    String problem() {
        return problem;
    }
}
