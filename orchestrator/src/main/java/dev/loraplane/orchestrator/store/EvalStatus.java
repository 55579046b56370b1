package dev.loraplane.orchestrator.store;

import java.util.Arrays;

/** Where an eval is: {@code queued → running → succeeded | failed}. */
public enum EvalStatus {
    QUEUED("queued"),
    RUNNING("running"),
    SUCCEEDED("succeeded"),
    FAILED("failed");

    private final String wireName;

    EvalStatus(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED;
    }

    public static EvalStatus fromWire(String name) {
        return Arrays.stream(values()).filter(s -> s.wireName.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown eval status '" + name + "'"));
    }
}
