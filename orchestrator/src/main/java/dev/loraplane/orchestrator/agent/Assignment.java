package dev.loraplane.orchestrator.agent;

import dev.loraplane.orchestrator.executor.Attempt;
import dev.loraplane.orchestrator.executor.AttemptListener;
import dev.loraplane.orchestrator.executor.DevicePool;

/** An attempt handed to an agent: what to run, on which of its devices, and who hears of it. */
public record Assignment(Attempt attempt, DevicePool pool, AttemptListener listener) {

    public String jobId() {
        return attempt.jobId();
    }
}
