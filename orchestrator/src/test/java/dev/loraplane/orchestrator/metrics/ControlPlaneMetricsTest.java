package dev.loraplane.orchestrator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.engine.accelerator.DeviceTelemetry;
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
    void deviceReadingsAreSeriesUnderTheirHostAndJobAndGoWhenTheJobEnds() {
        metrics = new ControlPlaneMetrics();
        metrics.deviceReadings("gpu-node-3", "ftjob-1", "acme", List.of(
                new DeviceTelemetry("nvidia", 0, "NVIDIA H100 80GB HBM3", 0.97, 60L << 30, 80L << 30, 612.5, 71.0),
                new DeviceTelemetry("nvidia", 1, "NVIDIA H100 80GB HBM3", 0.5, 10L << 30, 80L << 30, null, null)));
        metrics.deviceReadings("laptop", null, null, List.of(new DeviceTelemetry("cpu", 0, "Intel(R) Core(TM) i7", 0.25,
                8L << 30, 16L << 30, null, 45.0)));

        String h100 = "device=\"0\",host=\"gpu-node-3\",job_id=\"ftjob-1\",product=\"NVIDIA H100 80GB HBM3\",tenant=\"acme\","
                + "vendor=\"nvidia\"}";
        assertThat(scrape()).contains(
                "loraplane_gpu_utilization_ratio{" + h100 + " 0.97",
                "loraplane_gpu_memory_used_bytes{" + h100 + " 6.442450944E10",
                "loraplane_gpu_memory_total_bytes{" + h100 + " 8.589934592E10",
                "loraplane_gpu_power_watts{" + h100 + " 612.5",
                "loraplane_gpu_temperature_celsius{" + h100 + " 71.0",
                "loraplane_gpu_utilization_ratio{device=\"0\",host=\"laptop\",job_id=\"\",product=\"Intel(R) Core(TM) i7\","
                        + "tenant=\"\",vendor=\"cpu\"} 0.25");
        assertThat(scrape()).as("a figure the tool did not report has no series")
                .noneMatch(l -> l.startsWith("loraplane_gpu_power_watts{device=\"1\""))
                .noneMatch(l -> l.startsWith("loraplane_gpu_power_watts{device=\"0\",host=\"laptop\""));

        metrics.jobEnded("ftjob-1");
        metrics.deviceReadings("gpu-node-3", "ftjob-1", "acme", List.of(new DeviceTelemetry("nvidia", 0, "NVIDIA H100 80GB HBM3",
                0.0, 1L << 30, 80L << 30, 90.0, 40.0)));   // the host saw the worker just before it exited
        assertThat(scrape()).noneMatch(l -> l.contains("ftjob-1"))
                .contains("loraplane_gpu_power_watts{device=\"0\",host=\"gpu-node-3\",job_id=\"\",product=\"NVIDIA H100 80GB HBM3\","
                        + "tenant=\"\",vendor=\"nvidia\"} 90.0")
                .contains("loraplane_gpu_temperature_celsius{device=\"0\",host=\"laptop\",job_id=\"\",product=\"Intel(R) Core(TM) i7\","
                        + "tenant=\"\",vendor=\"cpu\"} 45.0");
    }

    @Test
    void aNewerReadingReplacesTheDevicesSeriesAndOldReadingsExpire() throws InterruptedException {
        metrics = new ControlPlaneMetrics(Duration.ofSeconds(5), Duration.ofMillis(300));
        DeviceTelemetry idle = new DeviceTelemetry("amd", 2, "AMD Instinct MI300X", 0.0, 1L << 30, 192L << 30, 140.0, 40.0);
        metrics.deviceReadings("node-a", null, null, List.of(idle));
        metrics.deviceReadings("node-a", "ftjob-2", "globex", List.of(new DeviceTelemetry("amd", 2, "AMD Instinct MI300X", 1.0,
                100L << 30, 192L << 30, 700.0, 80.0)));
        assertThat(scrape().stream().filter(l -> l.startsWith("loraplane_gpu_utilization_ratio{"))).singleElement()
                .isEqualTo("loraplane_gpu_utilization_ratio{device=\"2\",host=\"node-a\",job_id=\"ftjob-2\","
                        + "product=\"AMD Instinct MI300X\",tenant=\"globex\",vendor=\"amd\"} 1.0");
        Thread.sleep(400);
        assertThat(scrape()).as("the host stopped reporting").noneMatch(l -> l.startsWith("loraplane_gpu_"));
    }

    @Test
    void aRunningJobsFiguresAreGaugesFromItsFirstReportUntilItEnds() {
        metrics = new ControlPlaneMetrics();
        metrics.jobFigure("ftjob-7", "acme", JobFigure.LOSS, 2.5);
        metrics.jobFigure("ftjob-7", "acme", JobFigure.LOSS, 1.25);
        metrics.jobFigure("ftjob-7", "acme", JobFigure.PROGRESS, 0.5);
        metrics.jobFigure("ftjob-7", "acme", JobFigure.ALLOCATED_COST, 0.75);
        metrics.effectiveCost("acme", "nvidia", 0.5);
        assertThat(scrape()).contains(
                "loraplane_job_loss{job_id=\"ftjob-7\",tenant=\"acme\"} 1.25",
                "loraplane_job_progress_ratio{job_id=\"ftjob-7\",tenant=\"acme\"} 0.5",
                "loraplane_job_allocated_cost_usd{job_id=\"ftjob-7\",tenant=\"acme\"} 0.75",
                "loraplane_effective_cost_usd_total{accelerator=\"nvidia\",kind=\"training\",tenant=\"acme\"} 0.5")
                .as("no eval ran, so no eval loss").noneMatch(l -> l.startsWith("loraplane_job_eval_loss"));

        metrics.jobEnded("ftjob-7");
        assertThat(scrape()).noneMatch(l -> l.startsWith("loraplane_job_") && !l.startsWith("loraplane_job_duration"));
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
