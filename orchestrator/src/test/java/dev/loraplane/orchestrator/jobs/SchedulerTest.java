package dev.loraplane.orchestrator.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.orchestrator.executor.DevicePool;
import dev.loraplane.orchestrator.store.Job;
import dev.loraplane.orchestrator.store.JobStatus;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchedulerTest {

    private static final long NOW = 1_000_000;
    private static final DevicePool CPU = new DevicePool("local", "host", "cpu", "Intel Xeon", 2, 2);
    private static final DevicePool H100 = new DevicePool("local", "host", "nvidia", "NVIDIA H100 80GB HBM3", 4, 4);

    private static Job job(String id, String tenant, int priority, long createdAt, String type, int count, String product) {
        JsonObject accelerator = new JsonObject().put("type", type).put("count", count).put("product", product);
        return Job.created(id, tenant, "loraplane-tiny", priority, "file-1", null,
                new JsonObject().put("accelerator", accelerator).encode(), null, createdAt).queued(createdAt, null, null);
    }

    private static Job cpu(String id, String tenant, int priority, long createdAt) {
        return job(id, tenant, priority, createdAt, "cpu", 1, null);
    }

    private static List<String> started(Scheduler.Plan plan) {
        return plan.placements().stream().map(p -> p.job().id()).toList();
    }

    @Test
    void higherPriorityFirstThenTheTenantRunningLessThenTheOldest() {
        Scheduler scheduler = new Scheduler(Quotas.NONE);
        List<Job> queued = List.of(cpu("a-old", "acme", 0, 1), cpu("a-new", "acme", 0, 2), cpu("g", "globex", 0, 3),
                cpu("urgent", "acme", 5, 4));
        Job acmeRunning = cpu("a-running", "acme", 0, 0).moved(JobStatus.RUNNING, 1, null);

        Scheduler.Plan plan = scheduler.plan(queued, List.of(acmeRunning), List.of(CPU), NOW);

        // Two free slots: the urgent job, then globex (no job running) before acme's older job.
        assertThat(started(plan)).containsExactly("urgent", "g");
        assertThat(plan.waiting()).containsOnlyKeys("a-old", "a-new");
        assertThat(plan.waiting().get("a-old")).startsWith("Waiting for 1 × cpu");
    }

    @Test
    void fairShareIsRecountedAfterEveryPlacement() {
        Scheduler scheduler = new Scheduler(Quotas.NONE);
        List<Job> queued = List.of(cpu("a1", "acme", 0, 1), cpu("a2", "acme", 0, 2), cpu("a3", "acme", 0, 3), cpu("g1", "globex", 0, 4),
                cpu("g2", "globex", 0, 5));
        DevicePool four = new DevicePool("local", "host", "cpu", "x", 4, 4);

        assertThat(started(scheduler.plan(queued, List.of(), List.of(four), NOW))).containsExactly("a1", "g1", "a2", "g2");
    }

    @Test
    void neverStartsMoreThanTheFreeDevicesAndABusyPoolHoldsNoOtherPoolBack() {
        Scheduler scheduler = new Scheduler(Quotas.NONE);
        List<Job> queued = List.of(job("big", "acme", 9, 1, "nvidia", 3, "H100"), job("small", "acme", 0, 2, "nvidia", 2, null),
                cpu("c1", "globex", 0, 3), cpu("c2", "globex", 0, 4), cpu("c3", "globex", 0, 5));
        DevicePool oneCpuFree = CPU.take(1);

        Scheduler.Plan plan = scheduler.plan(queued, List.of(), List.of(oneCpuFree, H100), NOW);

        assertThat(started(plan)).containsExactly("big", "c1");
        assertThat(plan.waiting()).containsOnlyKeys("small", "c2", "c3");
        assertThat(plan.waiting().get("small")).isEqualTo("Waiting for 2 × nvidia: every matching device is busy");
    }

    @Test
    void aJobNoExecutorCanRunWaitsWithTheReason() {
        Scheduler scheduler = new Scheduler(Quotas.NONE);
        Scheduler.Plan plan = scheduler.plan(List.of(job("mac", "acme", 0, 1, "apple", 1, null),
                job("b200", "acme", 0, 2, "nvidia", 1, "B200"), job("eight", "acme", 0, 3, "nvidia", 8, null)), List.of(),
                List.of(CPU, H100), NOW);

        assertThat(plan.placements()).isEmpty();
        assertThat(plan.waiting().get("mac")).isEqualTo("No executor has 1 × apple (executors offer: local 2 × cpu Intel Xeon,"
                + " local 4 × nvidia NVIDIA H100 80GB HBM3); the job waits until one does");
        assertThat(plan.waiting().get("b200")).startsWith("No executor has 1 × nvidia B200");
        assertThat(plan.waiting().get("eight")).startsWith("No executor has 8 × nvidia");
    }

    @Test
    void anAttemptMustFitOnOneMachineNotOnTheSumOfThem() {
        Scheduler scheduler = new Scheduler(Quotas.NONE);
        // Two nodes with two free H100s each: four free in all, at most two together.
        DevicePool cluster = new DevicePool("kubernetes", "training", "nvidia", "H100", 4, 4, 2, 2);
        List<Job> queued = List.of(job("four", "acme", 9, 1, "nvidia", 4, null), job("two-a", "acme", 0, 2, "nvidia", 2, null),
                job("two-b", "globex", 0, 3, "nvidia", 2, null));

        Scheduler.Plan plan = scheduler.plan(queued, List.of(), List.of(cluster), NOW);

        assertThat(plan.waiting().get("four")).isEqualTo("No executor has 4 × nvidia (executors offer: kubernetes:training"
                + " 4 × nvidia H100 (at most 2 on one machine)); the job waits until one does");
        // Where the first two-GPU attempt lands is not known here, so the second waits for the next look.
        assertThat(started(plan)).containsExactly("two-a");
        assertThat(plan.waiting().get("two-b")).isEqualTo("Waiting for 2 × nvidia: every matching device is busy");
    }

    @Test
    void freeDevicesSpreadOverMachinesAdmitOnlyWhatFitsOnOne() {
        Scheduler scheduler = new Scheduler(Quotas.NONE);
        // Two eight-GPU nodes with three free devices each: six free, three together.
        DevicePool cluster = new DevicePool("kubernetes", "training", "nvidia", "H100", 16, 6, 8, 3);

        Scheduler.Plan plan = scheduler.plan(List.of(job("four", "acme", 9, 1, "nvidia", 4, null),
                job("three", "acme", 0, 2, "nvidia", 3, null)), List.of(), List.of(cluster), NOW);

        assertThat(started(plan)).containsExactly("three");
        assertThat(plan.waiting().get("four")).isEqualTo("Waiting for 4 × nvidia: every matching device is busy");
    }

    @Test
    void aPoolOnOneMachineHasAllItsDevicesTogether() {
        DevicePool local = new DevicePool("local", "host", "nvidia", "H100", 4, 3);

        assertThat(local.largestTotal()).isEqualTo(4);
        assertThat(local.largestFree()).isEqualTo(3);
        assertThat(local.take(2)).isEqualTo(new DevicePool("local", "host", "nvidia", "H100", 4, 1));
        assertThat(local.take(2).fits(1)).isTrue();
        assertThat(local.take(2).fits(2)).isFalse();
    }

    @Test
    void quotasPerTenantAndPerAcceleratorHold() {
        Scheduler scheduler = new Scheduler(new Quotas(1, Map.of("globex", 2), Map.of("nvidia", 3)));
        Job acmeRunning = cpu("a-running", "acme", 0, 0).moved(JobStatus.RUNNING, 1, null);
        List<Job> queued = List.of(cpu("a1", "acme", 0, 1), job("g-gpu", "globex", 0, 2, "nvidia", 2, null),
                job("g-gpu2", "globex", 0, 3, "nvidia", 2, null), cpu("g-cpu", "globex", 0, 4));

        Scheduler.Plan plan = scheduler.plan(queued, List.of(acmeRunning), List.of(CPU, H100), NOW);

        assertThat(started(plan)).containsExactly("g-gpu", "g-cpu");
        assertThat(plan.waiting().get("a1")).isEqualTo("Tenant quota: acme runs 1 of 1 jobs allowed at once");
        assertThat(plan.waiting().get("g-gpu2")).isEqualTo("Tenant quota: globex runs 2 of 2 jobs allowed at once");

        Scheduler gpuQuota = new Scheduler(new Quotas(0, Map.of(), Map.of("nvidia", 3)));
        Scheduler.Plan second = gpuQuota.plan(List.of(job("g-gpu2", "globex", 0, 3, "nvidia", 2, null)),
                List.of(job("g-gpu", "globex", 0, 2, "nvidia", 2, null).moved(JobStatus.RUNNING, 1, null)), List.of(H100.take(2)), NOW);
        assertThat(second.waiting().get("g-gpu2")).isEqualTo("Accelerator quota: 2 of 3 nvidia devices in use; the job needs 2");
    }

    @Test
    void aJobInItsRetryBackoffWaitsUntilItIsOver() {
        Scheduler scheduler = new Scheduler(Quotas.NONE);
        Job backingOff = cpu("retry", "acme", 0, 1).queued(NOW - 10, NOW + 60, null);

        assertThat(scheduler.plan(List.of(backingOff), List.of(), List.of(CPU), NOW).waiting().get("retry"))
                .startsWith("Retrying after a failed attempt: waits until 1970-01-12T13:47:40Z");
        assertThat(started(scheduler.plan(List.of(backingOff), List.of(), List.of(CPU), NOW + 60))).containsExactly("retry");
    }
}
