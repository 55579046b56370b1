package dev.loraplane.k8s.model;

import dev.loraplane.orchestrator.executor.AttemptExit;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How a worker's pod ended, read from its status: the worker's exit code when its container ran to
 * the end, {@link AttemptExit#LOST} when Kubernetes took it away (evicted, deadline passed, image
 * that cannot be pulled), and out-of-memory kills apart, as the control plane retries those.
 *
 * @param exitCode the worker's code for the attempt's exit
 * @param outOfMemory the container was OOMKilled: the worker never got to say so itself
 * @param detail what happened, for the job's events
 */
public record PodOutcome(int exitCode, boolean outOfMemory, String detail) {

    /** Waiting reasons the kubelet does not get over by itself. */
    private static final Set<String> STUCK = Set.of("ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull",
            "CreateContainerConfigError");

    /** How the pod ended, or empty while it has not. */
    public static Optional<PodOutcome> of(Pod pod) {
        String name = pod.getMetadata().getName();
        String reason = pod.getStatus() == null ? null : pod.getStatus().getReason();
        if ("Evicted".equals(reason) || "DeadlineExceeded".equals(reason)) {
            return Optional.of(new PodOutcome(AttemptExit.LOST, false, "pod " + name + " " + ("Evicted".equals(reason)
                    ? "was evicted" : "ran past its deadline") + ": " + pod.getStatus().getMessage()));
        }
        Optional<ContainerState> state = worker(pod).map(ContainerStatus::getState);
        ContainerStateTerminated terminated = state.map(ContainerState::getTerminated).orElse(null);
        if (terminated != null) {
            String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
            if ("OOMKilled".equals(terminated.getReason())) {
                return Optional.of(new PodOutcome(1, true, "pod " + name + " on node " + node
                        + " was OOMKilled: the worker needs more memory than its limit"));
            }
            return Optional.of(new PodOutcome(terminated.getExitCode(), false, "pod " + name + " on node " + node + " exited with "
                    + terminated.getExitCode() + (terminated.getReason() == null ? "" : " (" + terminated.getReason() + ")")));
        }
        ContainerStateWaiting waiting = state.map(ContainerState::getWaiting).orElse(null);
        if (waiting != null && STUCK.contains(waiting.getReason())) {
            return Optional.of(new PodOutcome(AttemptExit.LOST, false, "pod " + name + " cannot start: " + waiting.getReason()
                    + (waiting.getMessage() == null ? "" : ": " + waiting.getMessage())));
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Failed".equals(phase) || "Succeeded".equals(phase)) {
            return Optional.of(new PodOutcome(AttemptExit.LOST, false, "pod " + name + " is " + phase + " with no worker status"));
        }
        return Optional.empty();
    }

    /** Why the Job failed when Kubernetes gave up on it (its deadline passed), or empty. */
    public static Optional<PodOutcome> of(Job job) {
        List<JobCondition> conditions = job.getStatus() == null || job.getStatus().getConditions() == null ? List.of()
                : job.getStatus().getConditions();
        return conditions.stream().filter(c -> c.getType().equals("Failed") && c.getStatus().equals("True")
                        && "DeadlineExceeded".equals(c.getReason()))
                .findFirst().map(c -> new PodOutcome(AttemptExit.LOST, false, "Job " + job.getMetadata().getName()
                        + " ran past activeDeadlineSeconds (" + job.getSpec().getActiveDeadlineSeconds() + " s): " + c.getMessage()));
    }

    /** Whether the worker's container has started, so its log can be read. */
    public static boolean started(Pod pod) {
        return worker(pod).map(ContainerStatus::getState)
                .map(s -> s.getRunning() != null || s.getTerminated() != null).orElse(false);
    }

    /** Why the scheduler cannot place the pod ("0/3 nodes are available: 3 Insufficient nvidia.com/gpu"), or empty. */
    public static Optional<String> unschedulable(Pod pod) {
        List<PodCondition> conditions = pod.getStatus() == null || pod.getStatus().getConditions() == null ? List.of()
                : pod.getStatus().getConditions();
        return conditions.stream().filter(c -> c.getType().equals("PodScheduled") && c.getStatus().equals("False")
                && "Unschedulable".equals(c.getReason())).findFirst().map(PodCondition::getMessage);
    }

    /** The exit the attempt reports for this outcome. */
    public AttemptExit exit() {
        return new AttemptExit(exitCode, detail);
    }

    private static Optional<ContainerStatus> worker(Pod pod) {
        List<ContainerStatus> statuses = pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null ? List.of()
                : pod.getStatus().getContainerStatuses();
        return statuses.stream().filter(s -> s.getName().equals(TrainingJobManifest.CONTAINER)).findFirst();
    }
}
