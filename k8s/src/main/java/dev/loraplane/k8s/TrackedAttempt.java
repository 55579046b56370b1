package dev.loraplane.k8s;

import dev.loraplane.k8s.model.GpuInventory;
import dev.loraplane.k8s.model.PodOutcome;
import dev.loraplane.orchestrator.executor.AttemptExit;
import dev.loraplane.orchestrator.executor.AttemptListener;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt's Job as the executor follows it: the states of its Job and pod come in from the
 * informers, the worker's lines from its log, and the listener hears the lines and what befalls the
 * pod (why no node takes it, which node does), each once, then one exit once both the pod has ended
 * and its log is read to the end.
 *
 * <p>An attempt found in the cluster rather than started here (a restart, another replica's Job)
 * has no listener until the runner adopts it; until then it only holds its devices.
 */
final class TrackedAttempt {

    private static final Logger LOG = LoggerFactory.getLogger(TrackedAttempt.class);

    /** Starts reading a pod's log on a thread of its own, into {@link #line} and then {@link #logEnded}. */
    interface Follower {
        void follow(TrackedAttempt attempt, String pod, Instant since);
    }

    final String jobId;
    final int number;
    /** The Job's and ConfigMap's name. */
    final String name;
    private GpuInventory.Held held;
    private final Follower follower;
    private final Consumer<TrackedAttempt> forget;

    private AttemptListener listener;
    private Instant since;
    private String pod;
    private String startedPod;
    private boolean following;
    private boolean logRead;
    private boolean exited;
    private boolean jobGone;
    /** Why its pod cannot be placed now, as the job's event says it; null when it can. */
    private String unschedulable;
    /** What the listener has been told: each thing once, however often the informers bring the pod again. */
    private final Set<String> told = new HashSet<>();
    private PodOutcome outcome;
    private PodOutcome deadline;

    /** @param forget called once it has exited, or its Job is gone before anyone listened */
    TrackedAttempt(String jobId, int number, String name, GpuInventory.Held held, Follower follower,
            Consumer<TrackedAttempt> forget) {
        this.jobId = jobId;
        this.number = number;
        this.name = name;
        this.held = held;
        this.follower = follower;
        this.forget = forget;
    }

    /**
     * Gives it its listener, which hears the log from {@code since} on (null: from the start). False
     * when it already has one.
     */
    synchronized boolean attach(AttemptListener listener, Instant since) {
        if (this.listener != null || exited) {
            return false;
        }
        this.listener = listener;
        this.since = since;
        if (since != null && scheduled() != null) {
            told.add(scheduled());   // the control plane that started it said so
        }
        advance();
        return true;
    }

    /** What it holds: its devices, on the node its pod is bound to once it is. */
    synchronized GpuInventory.Held held() {
        return held;
    }

    /** Whether its devices are still taken: it has not ended. */
    synchronized boolean holdsDevices() {
        return !exited && outcome == null && deadline == null;
    }

    synchronized void onPod(Pod pod) {
        this.pod = pod.getMetadata().getName();
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (node != null && !node.equals(held.node())) {
            held = held.on(node);
        }
        if (PodOutcome.started(pod)) {
            startedPod = pod.getMetadata().getName();
        }
        PodOutcome.of(pod).ifPresentOrElse(o -> outcome = outcome == null ? o : outcome, () -> {
            String waiting = PodOutcome.unschedulable(pod).map(r -> "Pod " + this.pod + " waits for a node: " + r).orElse(null);
            if (waiting != null && !waiting.equals(unschedulable)) {
                LOG.info("{} attempt {}: {}", jobId, number, waiting);
            }
            unschedulable = waiting;
        });
        advance();
    }

    synchronized void onPodDeleted(Pod pod) {
        if (outcome == null) {
            outcome = PodOutcome.of(pod).orElse(new PodOutcome(AttemptExit.LOST, false, "pod " + pod.getMetadata().getName()
                    + " was deleted before its worker ended"));
        }
        advance();
    }

    synchronized void onJob(Job job) {
        PodOutcome.of(job).ifPresent(d -> deadline = d);
        advance();
    }

    synchronized void onJobDeleted() {
        jobGone = true;
        if (outcome == null) {
            outcome = new PodOutcome(AttemptExit.LOST, false, "Job " + name + " was deleted before its worker ended");
        }
        advance();
    }

    /** Its Job could not be created. */
    synchronized void failed(String detail) {
        outcome = new PodOutcome(AttemptExit.LOST, false, detail);
        advance();
    }

    /** It is being deleted on request: the listener hears it stopped, now. */
    synchronized void cancel() {
        if (!exited) {
            exit(new PodOutcome(AttemptExit.STOPPED, false, "cancelled: Job " + name + " is deleted"));
        }
    }

    /** The control plane is going: its listener hears nothing more, and the Job runs on for the next one to adopt. */
    synchronized void stopListening() {
        exited = true;
    }

    synchronized void line(String line) {
        if (!exited && listener != null) {
            listener.line(line);
        }
    }

    synchronized void logEnded() {
        logRead = true;
        advance();
    }

    private void advance() {
        if (exited) {
            return;
        }
        if (listener == null) {
            if (jobGone) {
                exit(outcome);
            }
            return;
        }
        tell("warn", unschedulable);
        tell("info", scheduled());
        if (startedPod != null && !following && !logRead) {
            following = true;
            follower.follow(this, startedPod, since);
        }
        PodOutcome end = deadline != null ? deadline : outcome;
        if (end != null && (logRead || !following)) {
            exit(end);
        }
    }

    /** Where its pod was placed, as the job's event says it; null while it is not. */
    private String scheduled() {
        return pod == null || held.node() == null ? null : "Pod " + pod + " is scheduled on node " + held.node();
    }

    private void tell(String level, String message) {
        if (message != null && told.add(message)) {
            listener.event(level, message);
        }
    }

    private void exit(PodOutcome end) {
        exited = true;
        forget.accept(this);   // first: whoever hears the exit finds the devices free
        if (listener != null) {
            if (end.outOfMemory()) {
                listener.line(new JsonObject().put("type", "error").put("code", "out_of_memory").put("message",
                        "The worker ran out of memory: " + end.detail()).encode());
            }
            listener.exited(end.exit());
        }
    }
}
