package dev.loraplane.orchestrator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.orchestrator.store.JobStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The series Prometheus reads, line for line, as the job runner and the API record them. */
class ControlPlaneMetricsTest {

    private ControlPlaneMetrics metrics;

    @AfterEach
    void close() {
        if (metrics != null) {
            metrics.close();
        }
    }

    /** The scrape's sample lines, without HELP and TYPE. */
    private List<String> scrape() {
        return metrics.scrape().lines().filter(l -> !l.startsWith("#")).toList();
    }

    @Test
    void eachEventCountsUnderItsTenantAndAccelerator() {
        metrics = new ControlPlaneMetrics();
        metrics.attemptStarted("acme", "nvidia", 12.5);
        metrics.attemptStarted("acme", "nvidia", 40);
        metrics.attemptStarted("globex", "cpu", 0.5);
        metrics.attemptRetried("acme", "nvidia", "worker_lost");
        metrics.jobFinished("acme", "nvidia", "succeeded", 3600);
        metrics.jobFinished("globex", "cpu", "failed", 90);
        metrics.trainedTokens("acme", "nvidia", 12_345);
        metrics.trainedTokens("acme", "nvidia", 655);
        metrics.deviceTime("acme", "nvidia", 3500, 2.75);

        assertThat(scrape()).contains(
                "loraplane_attempts_started_total{accelerator=\"nvidia\",tenant=\"acme\"} 2.0",
                "loraplane_attempts_started_total{accelerator=\"cpu\",tenant=\"globex\"} 1.0",
                "loraplane_queue_wait_seconds_count{accelerator=\"nvidia\"} 2",
                "loraplane_queue_wait_seconds_sum{accelerator=\"nvidia\"} 52.5",
                "loraplane_queue_wait_seconds_bucket{accelerator=\"nvidia\",le=\"15.0\"} 1",
                "loraplane_queue_wait_seconds_bucket{accelerator=\"nvidia\",le=\"60.0\"} 2",
                "loraplane_attempt_retries_total{accelerator=\"nvidia\",reason=\"worker_lost\"} 1.0",
                "loraplane_jobs_finished_total{accelerator=\"nvidia\",status=\"succeeded\",tenant=\"acme\"} 1.0",
                "loraplane_jobs_finished_total{accelerator=\"cpu\",status=\"failed\",tenant=\"globex\"} 1.0",
                "loraplane_job_duration_seconds_count{accelerator=\"nvidia\",status=\"succeeded\"} 1",
                "loraplane_job_duration_seconds_sum{accelerator=\"nvidia\",status=\"succeeded\"} 3600.0",
                "loraplane_job_duration_seconds_bucket{accelerator=\"cpu\",status=\"failed\",le=\"300.0\"} 1",
                "loraplane_trained_tokens_total{accelerator=\"nvidia\",tenant=\"acme\"} 13000.0",
                "loraplane_device_seconds_total{accelerator=\"nvidia\",tenant=\"acme\"} 3500.0",
                "loraplane_cost_usd_total{accelerator=\"nvidia\",kind=\"training\",tenant=\"acme\"} 2.75");
    }

    @Test
    void labelValuesOutsideTheirSetsBecomeOtherAndNoValueThrows() {
        metrics = new ControlPlaneMetrics();
        metrics.attemptStarted(null, "tpu", -3);
        metrics.attemptRetried("acme", "amd", "disk_full");
        metrics.jobFinished("acme", null, "exploded", Double.NaN);
        metrics.httpRequest("PROPFIND", null, 404, 1_000_000);
        metrics.trainedTokens("acme", "apple", -5);
        metrics.deviceTime("acme", "apple", 0, Double.NaN);

        List<String> lines = scrape();
        assertThat(lines).contains(
                "loraplane_attempts_started_total{accelerator=\"other\",tenant=\"other\"} 1.0",
                "loraplane_queue_wait_seconds_sum{accelerator=\"other\"} 0.0",
                "loraplane_attempt_retries_total{accelerator=\"amd\",reason=\"other\"} 1.0",
                "loraplane_jobs_finished_total{accelerator=\"other\",status=\"other\",tenant=\"acme\"} 1.0",
                "loraplane_http_server_requests_seconds_count{method=\"OTHER\",route=\"unmatched\",status=\"404\"} 1");
        // A counter only ever goes up: nothing to add registers nothing.
        assertThat(lines).noneMatch(l -> l.startsWith("loraplane_trained_tokens_total") || l.startsWith("loraplane_device_seconds_total")
                || l.startsWith("loraplane_cost_usd_total"));
    }

    @Test
    void theJobGaugesReportEveryStatusAndAcceleratorFromTheSuppliers() {
        metrics = new ControlPlaneMetrics();
        assertThat(scrape()).contains("loraplane_jobs{status=\"queued\"} 0.0", "loraplane_queue_depth{accelerator=\"nvidia\"} 0.0");

        metrics.jobCounts(() -> Map.of(JobStatus.QUEUED, 3L, JobStatus.RUNNING, 1L), () -> Map.of("nvidia", 2L, "cpu", 1L));
        assertThat(scrape()).contains(
                "loraplane_jobs{status=\"validating_files\"} 0.0",
                "loraplane_jobs{status=\"queued\"} 3.0",
                "loraplane_jobs{status=\"running\"} 1.0",
                "loraplane_jobs{status=\"succeeded\"} 0.0",
                "loraplane_jobs{status=\"failed\"} 0.0",
                "loraplane_jobs{status=\"cancelled\"} 0.0",
                "loraplane_queue_depth{accelerator=\"cpu\"} 1.0",
                "loraplane_queue_depth{accelerator=\"nvidia\"} 2.0",
                "loraplane_queue_depth{accelerator=\"amd\"} 0.0",
                "loraplane_queue_depth{accelerator=\"apple\"} 0.0");
    }

    @Test
    void theSuppliersAreCalledAtMostOncePerMaxAge() {
        metrics = new ControlPlaneMetrics(Duration.ofHours(1));
        AtomicInteger reads = new AtomicInteger();
        AtomicLong queued = new AtomicLong(4);
        metrics.jobCounts(() -> {
            reads.incrementAndGet();
            return Map.of(JobStatus.QUEUED, queued.get());
        }, Map::of);
        assertThat(scrape()).contains("loraplane_jobs{status=\"queued\"} 4.0");
        queued.set(5);
        assertThat(scrape()).contains("loraplane_jobs{status=\"queued\"} 4.0");
        assertThat(reads).hasValue(1);
    }

    @Test
    void aFailingSupplierLeavesTheLastCountsAndTheScrapeStillAnswers() {
        metrics = new ControlPlaneMetrics(Duration.ZERO);
        AtomicInteger reads = new AtomicInteger();
        metrics.jobCounts(() -> {
            if (reads.incrementAndGet() > 1) {
                throw new IllegalStateException("database unreachable");
            }
            return Map.of(JobStatus.RUNNING, 2L);
        }, Map::of);
        assertThat(scrape()).contains("loraplane_jobs{status=\"running\"} 2.0");
        assertThat(scrape()).contains("loraplane_jobs{status=\"running\"} 2.0");
        assertThat(reads).hasValue(2);
    }

    @Test
    void theJvmAndProcessMetersAreBound() {
        metrics = new ControlPlaneMetrics();
        List<String> lines = scrape();
        for (String family : List.of("jvm_memory_used_bytes{", "jvm_gc_", "jvm_threads_live_threads", "system_cpu_count",
                "process_uptime_seconds")) {
            assertThat(lines).as(family).anyMatch(l -> l.startsWith(family));
        }
    }
}
