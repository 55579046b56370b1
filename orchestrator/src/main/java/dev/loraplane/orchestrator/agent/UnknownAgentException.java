package dev.loraplane.orchestrator.agent;

/** An agent or attempt the control plane does not know (any more): the agent should register again. */
public final class UnknownAgentException extends RuntimeException {

    public UnknownAgentException(String what) {
        super("unknown agent or attempt: " + what + "; register again");
    }
}
