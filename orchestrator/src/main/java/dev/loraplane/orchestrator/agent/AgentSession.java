package dev.loraplane.orchestrator.agent;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One registered agent as the control plane sees it: its devices, when it was last heard of, the
 * attempts it holds, work not yet picked up, and the attempts it should stop.
 */
final class AgentSession {

    final String id;
    final String name;
    final List<AgentDevice> devices;
    volatile long lastSeenMillis;
    final Map<String, Assignment> attempts = new ConcurrentHashMap<>();
    final Set<String> stopping = ConcurrentHashMap.newKeySet();
    /** When each attempt was handed to the agent's poll, in milliseconds. */
    final Map<String, Long> delivered = new ConcurrentHashMap<>();
    private final Deque<Assignment> pending = new ArrayDeque<>();
    private CompletableFuture<Assignment> poll;

    AgentSession(String id, String name, List<AgentDevice> devices, long now) {
        this.id = id;
        this.name = name;
        this.devices = List.copyOf(devices);
        this.lastSeenMillis = now;
    }

    /** Hands work to the agent's waiting poll, or keeps it for its next one. */
    synchronized void offer(Assignment assignment) {
        if (poll != null && poll.complete(assignment)) {
            poll = null;
            delivered.put(assignment.jobId(), System.currentTimeMillis());
            return;
        }
        pending.add(assignment);
    }

    /** The next work: at once when some is pending, else when it is offered. A newer poll replaces an older one. */
    synchronized CompletableFuture<Assignment> poll() {
        if (!pending.isEmpty()) {
            Assignment next = pending.poll();
            delivered.put(next.jobId(), System.currentTimeMillis());
            return CompletableFuture.completedFuture(next);
        }
        if (poll != null) {
            poll.complete(null);
        }
        poll = new CompletableFuture<>();
        return poll;
    }

    /** Takes back work the agent has not picked up; whether it was still pending. */
    synchronized boolean withdraw(String jobId) {
        return pending.removeIf(a -> a.jobId().equals(jobId));
    }

    /** Ends the waiting poll (the agent is gone). */
    synchronized void close() {
        if (poll != null) {
            poll.complete(null);
        }
        pending.clear();
    }

    String describe() {
        return name + " (" + id + ")";
    }
}
