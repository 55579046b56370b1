package dev.loraplane.datasets;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Optional;

/** Who speaks a message, with the lower-case name OpenAI's chat format uses. */
public enum Role {
    SYSTEM("system"),
    USER("user"),
    ASSISTANT("assistant");

    private final String wireName;

    Role(String wireName) {
        this.wireName = wireName;
    }

    /** The name in a training file and in a chat template: {@code system}, {@code user}, {@code assistant}. */
    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** The role a training file names, or empty for any other string (roles are case-sensitive, as in OpenAI's API). */
    public static Optional<Role> fromWireName(String name) {
        for (Role role : values()) {
            if (role.wireName.equals(name)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
