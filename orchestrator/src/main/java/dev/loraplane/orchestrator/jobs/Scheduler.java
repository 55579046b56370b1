package dev.loraplane.orchestrator.jobs;

import dev.loraplane.orchestrator.executor.AcceleratorRequest;
import dev.loraplane.orchestrator.executor.DevicePool;
import dev.loraplane.orchestrator.store.Job;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Decides which queued jobs start now and where; no I/O, so a sweep can call it with what the store
 * and the executors say, and a test with what it likes.
 *
 * <p>Of the jobs that could start, the next is the one with the highest priority, then the one whose
 * tenant runs the fewest jobs (fair share, recounted after every placement), then the oldest. A job
 * can start when its retry backoff is over, its tenant is under its quota, its accelerator type is
 * under its device quota, and some executor has a pool of its type and product with enough free
 * devices on one machine (two nodes with two free GPUs each do not take a four-GPU job). A job that
 * cannot start gets the reason, which the runner shows in its events. Jobs that need a busy pool do
 * not hold back jobs that need another one.
 */
public final class Scheduler {

    /** A job to start on a pool. */
    public record Placement(Job job, DevicePool pool) {}

    /**
     * What to start now, and why every other queued job waits.
     *
     * @param waiting job id → the reason it is not starting
     */
    public record Plan(List<Placement> placements, Map<String, String> waiting) {}

    private final Quotas quotas;

    public Scheduler(Quotas quotas) {
        this.quotas = quotas;
    }

    /**
     * @param queued the queued jobs
     * @param running the running jobs (for fair share and quotas)
     * @param pools every executor's device pools
     * @param now epoch seconds
     */
    public Plan plan(List<Job> queued, List<Job> running, List<DevicePool> pools, long now) {
        Map<String, Integer> tenantRunning = new HashMap<>();
        Map<String, Integer> devicesHeld = new HashMap<>();
        for (Job job : running) {
            AcceleratorRequest a = accelerator(job);
            tenantRunning.merge(job.tenant(), 1, Integer::sum);
            devicesHeld.merge(a.type(), a.count(), Integer::sum);
        }
        Map<String, AcceleratorRequest> asks = queued.stream().collect(Collectors.toMap(Job::id, Scheduler::accelerator));
        List<DevicePool> free = new ArrayList<>(pools);
        List<Job> remaining = new ArrayList<>(queued);
        List<Placement> placements = new ArrayList<>();
        Map<String, String> waiting = new LinkedHashMap<>();
        while (true) {
            waiting.clear();
            Job next = null;
            DevicePool nextPool = null;
            Comparator<Job> order = Comparator.comparingInt(Job::priority).reversed()
                    .thenComparingInt(j -> tenantRunning.getOrDefault(j.tenant(), 0))
                    .thenComparingLong(Job::createdAt).thenComparing(Job::id);
            for (Job job : remaining) {
                AcceleratorRequest a = asks.get(job.id());
                String reason = blocker(job, a, tenantRunning, devicesHeld, pools, now);
                Optional<DevicePool> pool = reason != null ? Optional.empty()
                        : free.stream().filter(p -> a.accepts(p) && p.fits(a.count())).findFirst();
                if (reason == null && pool.isEmpty()) {
                    reason = "Waiting for " + a.describe() + ": every matching device is busy";
                }
                if (reason != null) {
                    waiting.put(job.id(), reason);
                } else if (next == null || order.compare(job, next) < 0) {
                    next = job;
                    nextPool = pool.get();
                }
            }
            if (next == null) {
                return new Plan(placements, Map.copyOf(waiting));
            }
            AcceleratorRequest a = asks.get(next.id());
            placements.add(new Placement(next, nextPool));
            free.set(free.indexOf(nextPool), nextPool.take(a.count()));
            tenantRunning.merge(next.tenant(), 1, Integer::sum);
            devicesHeld.merge(a.type(), a.count(), Integer::sum);
            remaining.remove(next);
        }
    }

    /** Why the job cannot start whatever is free, or null when only free devices stand in its way. */
    private String blocker(Job job, AcceleratorRequest a, Map<String, Integer> tenantRunning, Map<String, Integer> devicesHeld,
            List<DevicePool> pools, long now) {
        if (job.notBefore() != null && job.notBefore() > now) {
            return "Retrying after a failed attempt: waits until " + Instant.ofEpochSecond(job.notBefore());
        }
        if (pools.stream().noneMatch(a::accepts)) {
            return "No executor has " + a.describe() + " (executors offer: " + (pools.isEmpty() ? "nothing"
                    : pools.stream().map(Scheduler::offer).distinct().collect(Collectors.joining(", ")))
                    + "); the job waits until one does";
        }
        int tenantLimit = quotas.runningFor(job.tenant());
        int tenantNow = tenantRunning.getOrDefault(job.tenant(), 0);
        if (tenantLimit > 0 && tenantNow >= tenantLimit) {
            return "Tenant quota: " + job.tenant() + " runs " + tenantNow + " of " + tenantLimit + " jobs allowed at once";
        }
        int deviceLimit = quotas.devicesFor(a.type());
        int held = devicesHeld.getOrDefault(a.type(), 0);
        if (deviceLimit > 0 && held + a.count() > deviceLimit) {
            return "Accelerator quota: " + held + " of " + deviceLimit + " " + a.type() + " devices in use; the job needs "
                    + a.count();
        }
        return null;
    }

    /** A pool as a job's reason shows it: "kubernetes:training 4 × nvidia H100 (at most 2 on one machine)". */
    private static String offer(DevicePool p) {
        return p.where() + " " + p.total() + " × " + p.type() + " " + p.product()
                + (p.largestTotal() < p.total() ? " (at most " + p.largestTotal() + " on one machine)" : "");
    }

    static AcceleratorRequest accelerator(Job job) {
        return AcceleratorRequest.of(new JsonObject(job.request()).getJsonObject("accelerator"));
    }
}
