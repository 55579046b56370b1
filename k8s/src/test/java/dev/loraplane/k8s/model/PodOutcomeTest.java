package dev.loraplane.k8s.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.orchestrator.executor.AttemptExit;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import org.junit.jupiter.api.Test;

/** How the statuses a kubelet writes read as the end of an attempt. */
class PodOutcomeTest {

    static PodBuilder pod() {
        return new PodBuilder().withNewMetadata().withName("ftjob-abc-a1-x7k2p").endMetadata()
                .withNewSpec().withNodeName("gpu-node-1").endSpec();
    }

    @Test
    void aRunningWorkerHasNotEndedAndItsLogCanBeRead() {
        Pod running = pod().withNewStatus().withPhase("Running").addNewContainerStatus().withName("worker")
                .withNewState().withNewRunning().endRunning().endState().endContainerStatus().endStatus().build();

        assertThat(PodOutcome.of(running)).isEmpty();
        assertThat(PodOutcome.started(running)).isTrue();
    }

    @Test
    void theWorkersExitCodeIsTheAttemptsAndAnOomKillIsSaidAsSuch() {
        Pod stopped = pod().withNewStatus().withPhase("Failed").addNewContainerStatus().withName("worker").withNewState()
                .withNewTerminated().withExitCode(143).withReason("Error").endTerminated().endState().endContainerStatus()
                .endStatus().build();
        Pod oom = pod().withNewStatus().withPhase("Failed").addNewContainerStatus().withName("worker").withNewState()
                .withNewTerminated().withExitCode(137).withReason("OOMKilled").endTerminated().endState().endContainerStatus()
                .endStatus().build();

        assertThat(PodOutcome.of(stopped)).hasValue(new PodOutcome(AttemptExit.STOPPED, false,
                "pod ftjob-abc-a1-x7k2p on node gpu-node-1 exited with 143 (Error)"));
        assertThat(PodOutcome.of(oom).orElseThrow()).satisfies(o -> {
            assertThat(o.outOfMemory()).isTrue();
            assertThat(o.exitCode()).isEqualTo(1);
            assertThat(o.detail()).contains("OOMKilled");
        });
    }

    @Test
    void evictionsAndImagesThatCannotBePulledLoseTheAttempt() {
        Pod evicted = pod().withNewStatus().withPhase("Failed").withReason("Evicted")
                .withMessage("The node was low on resource: memory.").endStatus().build();
        Pod backoff = pod().withNewStatus().withPhase("Pending").addNewContainerStatus().withName("worker").withNewState()
                .withNewWaiting().withReason("ImagePullBackOff").withMessage("Back-off pulling image \"nope:1\"").endWaiting()
                .endState().endContainerStatus().endStatus().build();
        Pod firstPullError = pod().withNewStatus().withPhase("Pending").addNewContainerStatus().withName("worker").withNewState()
                .withNewWaiting().withReason("ErrImagePull").endWaiting().endState().endContainerStatus().endStatus().build();

        assertThat(PodOutcome.of(evicted).orElseThrow().exit()).isEqualTo(new AttemptExit(AttemptExit.LOST,
                "pod ftjob-abc-a1-x7k2p was evicted: The node was low on resource: memory."));
        assertThat(PodOutcome.of(backoff).orElseThrow().detail())
                .isEqualTo("pod ftjob-abc-a1-x7k2p cannot start: ImagePullBackOff: Back-off pulling image \"nope:1\"");
        assertThat(PodOutcome.of(firstPullError)).as("the kubelet retries a pull once before it backs off").isEmpty();
    }

    @Test
    void aPendingPodSaysWhyNoNodeTakesIt() {
        Pod pending = pod().withNewStatus().withPhase("Pending").addNewCondition().withType("PodScheduled").withStatus("False")
                .withReason("Unschedulable").withMessage("0/3 nodes are available: 3 Insufficient nvidia.com/gpu.")
                .endCondition().endStatus().build();

        assertThat(PodOutcome.of(pending)).isEmpty();
        assertThat(PodOutcome.unschedulable(pending)).hasValue("0/3 nodes are available: 3 Insufficient nvidia.com/gpu.");
    }

    @Test
    void aJobPastItsDeadlineLosesTheAttempt() {
        var job = new JobBuilder().withNewMetadata().withName("ftjob-abc-a1").endMetadata().withNewSpec()
                .withActiveDeadlineSeconds(3600L).endSpec().withNewStatus().addNewCondition().withType("Failed").withStatus("True")
                .withReason("DeadlineExceeded").withMessage("Job was active longer than specified deadline").endCondition()
                .endStatus().build();

        assertThat(PodOutcome.of(job).orElseThrow().exit()).isEqualTo(new AttemptExit(AttemptExit.LOST,
                "Job ftjob-abc-a1 ran past activeDeadlineSeconds (3600 s): Job was active longer than specified deadline"));
    }
}
