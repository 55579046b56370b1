package dev.loraplane.orchestrator.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What every store back end must do; subclasses give the database. */
abstract class StoreContract {

    abstract Database database();

    private Store store() {
        return Store.open(database());
    }

    static StoredFile file(String tenant, String id, long createdAt) {
        return new StoredFile(id, tenant, "train.jsonl", "fine-tune", 1234, "a".repeat(64), createdAt);
    }

    static Job job(String tenant, String id, String file, long createdAt, String idempotencyKey) {
        return Job.created(id, tenant, "loraplane-tiny", 0, file, null, "{\"model\":\"loraplane-tiny\"}", idempotencyKey, createdAt);
    }

    /** The job asking for an accelerator of this type. */
    static Job withAccelerator(Job job, String type) {
        return Job.created(job.id(), job.tenant(), job.model(), job.priority(), job.trainingFile(), job.validationFile(),
                "{\"model\":\"loraplane-tiny\",\"accelerator\":{\"type\":\"" + type + "\",\"count\":1}}", null, job.createdAt());
    }

    @Test
    void migrationsApplyOnceAndAgainIsANoOp() {
        assertThat(Migrations.apply(database())).containsExactly(1, 2, 3, 4, 5);
        assertThat(Migrations.apply(database())).isEmpty();
    }

    @Test
    void filesAreScopedToTheirTenant() {
        Store store = store();
        store.insertFile(file("acme", "file-1", 100));
        store.insertFile(file("acme", "file-2", 200));
        store.insertFile(file("globex", "file-3", 150));
        assertThat(store.file("acme", "file-1")).hasValueSatisfying(f -> assertThat(f.bytes()).isEqualTo(1234));
        assertThat(store.file("globex", "file-1")).isEmpty();
        assertThat(store.files("acme")).extracting(StoredFile::id).containsExactly("file-2", "file-1");
        assertThat(store.deleteFile("globex", "file-1")).isFalse();
        assertThat(store.deleteFile("acme", "file-1")).isTrue();
        assertThat(store.file("acme", "file-1")).isEmpty();
    }

    @Test
    void aFileAJobUsesCannotBeDeleted() {
        Store store = store();
        store.insertFile(file("acme", "file-1", 100));
        store.createJob(job("acme", "ftjob-1", "file-1", 100, null), "Created fine-tuning job");
        assertThatThrownBy(() -> store.deleteFile("acme", "file-1")).isInstanceOf(FileInUseException.class)
                .hasMessageContaining("used by job ftjob-1");
        assertThat(store.file("acme", "file-1")).isPresent();
    }

    @Test
    void creatingAJobWritesItsFirstEventAndAnIdempotencyKeyReturnsTheSameJob() {
        Store store = store();
        store.insertFile(file("acme", "file-1", 100));
        Job first = store.createJob(job("acme", "ftjob-1", "file-1", 100, "key-1"), "Created fine-tuning job");
        Job retry = store.createJob(job("acme", "ftjob-2", "file-1", 101, "key-1"), "Created fine-tuning job");
        assertThat(retry.id()).isEqualTo(first.id());
        assertThat(store.job("acme", "ftjob-2")).isEmpty();
        assertThat(store.events("ftjob-1", 0, 10)).extracting(JobEvent::message).containsExactly("Created fine-tuning job");
        // Another tenant may use the same key.
        store.insertFile(file("globex", "file-9", 100));
        assertThat(store.createJob(job("globex", "ftjob-3", "file-9", 102, "key-1"), "x").id()).isEqualTo("ftjob-3");
    }

    @Test
    void jobsPageNewestFirstAfterACursor() {
        Store store = store();
        store.insertFile(file("acme", "file-1", 1));
        for (int i = 1; i <= 5; i++) {
            store.createJob(job("acme", "ftjob-" + i, "file-1", 1000 + i / 2, null), "created");
        }
        List<String> seen = new ArrayList<>();
        String after = null;
        List<Job> page;
        do {
            page = store.jobs("acme", after, 2);
            page.forEach(j -> seen.add(j.id()));
            after = page.isEmpty() ? null : page.get(page.size() - 1).id();
        } while (page.size() == 2);
        assertThat(seen).containsExactly("ftjob-5", "ftjob-4", "ftjob-3", "ftjob-2", "ftjob-1");
        assertThat(store.jobs("globex", null, 10)).isEmpty();
        assertThat(store.jobs("acme", "ftjob-unknown", 10)).isEmpty();
    }

    @Test
    void aTransitionAndItsEventCommitTogetherOrNotAtAll() {
        Store store = store();
        store.insertFile(file("acme", "file-1", 1));
        Job job = store.createJob(job("acme", "ftjob-1", "file-1", 10, null), "created");
        Job queued = job.queued(11, null, 0.25);
        store.transition(queued, Set.of(JobStatus.VALIDATING_FILES), new JobEvent(job.id(), 0, 11, "info", "status", "Files validated", null));
        assertThat(store.job("acme", "ftjob-1")).hasValueSatisfying(j -> assertThat(j.status()).isEqualTo(JobStatus.QUEUED));

        // A second writer that still believes the job is validating loses, and writes no event.
        assertThatThrownBy(() -> store.transition(queued, Set.of(JobStatus.VALIDATING_FILES),
                new JobEvent(job.id(), 0, 12, "info", "status", "duplicate", null))).isInstanceOf(JobStateException.class)
                .hasMessageContaining("no longer validating_files");
        assertThat(store.events("ftjob-1", 0, 10)).extracting(JobEvent::message).containsExactly("created", "Files validated");

        Job failed = queued.moved(JobStatus.RUNNING, 1, null).failed("invalid_training_file", "line 3: …", "training_file", 20L);
        store.transition(failed, Set.of(JobStatus.QUEUED, JobStatus.RUNNING), new JobEvent(job.id(), 0, 20, "error", "status", "Failed", null));
        Job stored = store.job("acme", "ftjob-1").orElseThrow();
        assertThat(stored.errorCode()).isEqualTo("invalid_training_file");
        assertThat(stored.finishedAt()).isEqualTo(20L);
        assertThat(stored.attempts()).isEqualTo(1);
        assertThat(store.jobsIn(Set.of(JobStatus.QUEUED))).isEmpty();
    }

    @Test
    void jobsAreCountedByStatusAndQueuedOnesByTheAcceleratorTheyAskFor() {
        Store store = store();
        assertThat(store.countJobsByStatus()).isEmpty();
        assertThat(store.countQueuedByAccelerator()).isEmpty();
        store.insertFile(file("acme", "file-1", 1));
        store.insertFile(file("globex", "file-2", 1));
        Job nvidia = store.createJob(withAccelerator(job("acme", "ftjob-1", "file-1", 10, null), "nvidia"), "created");
        Job otherTenant = store.createJob(withAccelerator(job("globex", "ftjob-2", "file-2", 11, null), "nvidia"), "created");
        Job noAccelerator = store.createJob(job("acme", "ftjob-3", "file-1", 12, null), "created");
        store.createJob(withAccelerator(job("acme", "ftjob-4", "file-1", 13, null), "amd"), "created");
        Job running = store.createJob(withAccelerator(job("acme", "ftjob-5", "file-1", 14, null), "amd"), "created");
        for (Job j : List.of(nvidia, otherTenant, noAccelerator)) {
            store.transition(j.moved(JobStatus.QUEUED, 0, null), Set.of(JobStatus.VALIDATING_FILES),
                    new JobEvent(j.id(), 0, 20, "info", "status", "Queued", null));
        }
        store.transition(running.moved(JobStatus.RUNNING, 1, null), Set.of(JobStatus.VALIDATING_FILES),
                new JobEvent(running.id(), 0, 20, "info", "status", "Running", null));

        assertThat(store.countJobsByStatus()).containsExactlyInAnyOrderEntriesOf(Map.of(JobStatus.QUEUED, 3L,
                JobStatus.VALIDATING_FILES, 1L, JobStatus.RUNNING, 1L));
        assertThat(store.countQueuedByAccelerator()).containsExactlyInAnyOrderEntriesOf(Map.of("nvidia", 2L, "cpu", 1L));
    }

    @Test
    void aSucceededJobRegistersItsAdapterInTheSameTransaction() {
        Store store = store();
        store.insertFile(file("acme", "file-1", 1));
        Job job = store.createJob(job("acme", "ftjob-1", "file-1", 10, null), "created");
        Job running = job.moved(JobStatus.RUNNING, 1, null);
        store.transition(running, Set.of(JobStatus.VALIDATING_FILES), new JobEvent(job.id(), 0, 11, "info", "status", "Running", null));
        Job done = running.succeeded("ft:loraplane-tiny:facts:1", 1234L, 30L);
        Adapter adapter = new Adapter("ft:loraplane-tiny:facts:1", 0, "acme", "loraplane-tiny", job.id(), "/adapters/ftjob-1",
                "b".repeat(64), 4096, 30);
        store.succeed(done, adapter, new JobEvent(job.id(), 0, 30, "info", "status", "The job has successfully completed", null));
        assertThat(store.adapters("acme")).singleElement().satisfies(a -> {
            assertThat(a.version()).isEqualTo(1);
            assertThat(a.jobId()).isEqualTo("ftjob-1");
        });
        assertThat(store.adapters("globex")).isEmpty();
        // A second success for a job that is no longer running registers nothing.
        assertThatThrownBy(() -> store.succeed(done, adapter, new JobEvent(job.id(), 0, 31, "info", "status", "again", null)))
                .isInstanceOf(JobStateException.class);
        assertThat(store.adapters("acme")).singleElement().satisfies(a -> assertThat(a.version()).isEqualTo(1));
    }

    @Test
    void anImportedAdapterIsTheNextVersionOfItsNameForItsTenant() {
        Store store = store();
        Adapter imported = new Adapter("support-bot", 0, "acme", "loraplane-tiny", null, "/adapters/imported/1", "c".repeat(64),
                2048, 40);
        Adapter first = store.importAdapter(imported);
        assertThat(first.version()).isEqualTo(1);
        assertThat(store.importAdapter(imported).version()).isEqualTo(2);
        assertThat(store.importAdapter(new Adapter("support-bot", 0, "globex", "loraplane-tiny", null, "/adapters/imported/2",
                "d".repeat(64), 1024, 41)).version()).as("another tenant's name is its own").isEqualTo(1);
        assertThat(store.adapterVersions("acme", "support-bot")).extracting(Adapter::version).containsExactly(2, 1);
        assertThat(store.adapters("acme")).singleElement().satisfies(a -> {
            assertThat(a.version()).isEqualTo(2);
            assertThat(a.jobId()).isNull();
            assertThat(a.path()).isEqualTo("/adapters/imported/1");
            assertThat(a.sha256()).isEqualTo("c".repeat(64));
        });

        // An import continues the versions of a name a job registered.
        store.insertFile(file("acme", "file-1", 1));
        Job job = store.createJob(job("acme", "ftjob-1", "file-1", 10, null), "created");
        store.transition(job.moved(JobStatus.RUNNING, 1, null), Set.of(JobStatus.VALIDATING_FILES),
                new JobEvent(job.id(), 0, 11, "info", "status", "Running", null));
        store.succeed(job.moved(JobStatus.RUNNING, 1, null).succeeded("ft:loraplane-tiny::1", 10L, 30),
                new Adapter("ft:loraplane-tiny::1", 0, "acme", "loraplane-tiny", job.id(), "/adapters/ftjob-1", "b".repeat(64), 4096, 30),
                new JobEvent(job.id(), 0, 30, "info", "status", "done", null));
        assertThat(store.importAdapter(new Adapter("ft:loraplane-tiny::1", 0, "acme", "loraplane-tiny", null, "/adapters/imported/3",
                "e".repeat(64), 4096, 50)).version()).isEqualTo(2);
        assertThatThrownBy(() -> store.importAdapter(new Adapter("x", 0, "acme", "loraplane-tiny", "ftjob-1", "/p", "f".repeat(64),
                1, 1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eventsPageBySequence() {
        Store store = store();
        store.insertFile(file("acme", "file-1", 1));
        store.createJob(job("acme", "ftjob-1", "file-1", 10, null), "created");
        for (int i = 1; i <= 4; i++) {
            store.appendEvent("ftjob-1", 10 + i, "info", "metrics", "step " + i, "{\"step\":" + i + "}");
        }
        List<JobEvent> page = store.events("ftjob-1", 2, 2);
        assertThat(page).extracting(JobEvent::seq).containsExactly(3L, 4L);
        assertThat(page.get(0).data()).isEqualTo("{\"step\":2}");
        assertThat(page.get(0).id()).isEqualTo("ftevent-1-3");
    }

    @Test
    void attemptsAreBilledOnceAndSumIntoTheJobsCost() {
        Store store = store();
        store.insertFile(file("acme", "file-1", 1));
        Job job = store.createJob(job("acme", "ftjob-1", "file-1", 10, null), "created");
        Job queued = store.transition(job.queued(11, null, 0.5), Set.of(JobStatus.VALIDATING_FILES),
                new JobEvent(job.id(), 0, 11, "info", "message", "queued", null));
        Job first = store.startAttempt(queued.moved(JobStatus.RUNNING, 1, null),
                AttemptRecord.started(job.id(), 1, "local", "cpu", "Xeon", 1, 20), new JobEvent(job.id(), 0, 20, "info", "message", "1", null));
        assertThat(store.openAttempts()).extracting(AttemptRecord::jobId).containsExactly("ftjob-1");
        store.billed(job.id(), 1, 50_500, 0.125);
        assertThat(store.openAttempts()).singleElement().satisfies(a -> {
            assertThat(a.billedUntil()).isEqualTo(50_500L);
            assertThat(a.effectiveUsd()).isEqualTo(0.125);
        });
        assertThat(store.endAttempt(job.id(), 1, 80, "worker_crashed", 60, 0.25)).isTrue();
        store.billed(job.id(), 1, 90_000, 0.5);
        assertThat(store.attempts(job.id()).get(0).billedUntil()).as("an ended attempt's books stay closed").isEqualTo(50_500L);
        assertThat(store.endAttempt(job.id(), 1, 90, "worker_crashed", 70, 0.50)).as("ended twice, billed once").isFalse();
        Job retry = store.transition(first.queued(80, 140L, first.estimatedCostUsd()), Set.of(JobStatus.RUNNING),
                new JobEvent(job.id(), 0, 80, "warn", "message", "retry", null));
        assertThat(store.job("acme", job.id()).orElseThrow()).satisfies(j -> {
            assertThat(j.notBefore()).isEqualTo(140L);
            assertThat(j.queuedAt()).isEqualTo(80L);
            assertThat(j.estimatedCostUsd()).isEqualTo(0.5);
            assertThat(j.costUsd()).isEqualTo(0.25);
        });
        // A second start of the same queued job loses: the job is running already.
        Job second = store.startAttempt(retry.moved(JobStatus.RUNNING, 2, null),
                AttemptRecord.started(job.id(), 2, "local", "cpu", "Xeon", 2, 150), new JobEvent(job.id(), 0, 150, "info", "message", "2", null));
        assertThatThrownBy(() -> store.startAttempt(retry.moved(JobStatus.RUNNING, 2, null),
                AttemptRecord.started(job.id(), 3, "local", "cpu", "Xeon", 1, 151), new JobEvent(job.id(), 0, 151, "info", "message", "3", null)))
                .isInstanceOf(JobStateException.class);
        store.endAttempt(job.id(), 2, 250, "succeeded", 200, 1.0);
        store.succeed(second.succeeded("ft:loraplane-tiny::1", 50_000L, 250), new Adapter("ft:loraplane-tiny::1", 0, "acme",
                "loraplane-tiny", job.id(), "/a", "c".repeat(64), 10, 250), new JobEvent(job.id(), 0, 250, "info", "message", "done", null));
        assertThat(store.attempts(job.id())).extracting(AttemptRecord::outcome).containsExactly("worker_crashed", "succeeded");
        assertThat(store.openAttempts()).isEmpty();
        assertThat(store.job("acme", job.id()).orElseThrow().costUsd()).isEqualTo(1.25);
        // 50,000 tokens over 60 + 200 device-seconds on cpu.
        assertThat(store.measuredThroughput("loraplane-tiny", "cpu")).hasValueSatisfying(t -> assertThat(t).isCloseTo(50_000 / 260.0,
                org.assertj.core.api.Assertions.within(1e-9)));
        assertThat(store.measuredThroughput("loraplane-tiny", "nvidia")).isEmpty();
    }

    @Test
    void anEvalIsClaimedByOneRunnerKeepsItsResultsPerVariantAndEndsWithItsReport() {
        Store store = store();
        EvalStore evals = new EvalStore(database());
        store.insertFile(file("acme", "file-1", 100));
        store.createJob(job("acme", "ftjob-1", "file-1", 100, null), "Created fine-tuning job");
        evals.create(Eval.created("eval-1", "acme", "ftjob-1", "{\"dataset\":\"file-1\"}", 110), "Created eval");
        evals.create(Eval.created("eval-2", "acme", null, "{}", 120), "Created eval");
        evals.create(Eval.created("eval-3", "globex", null, "{}", 130), "Created eval");
        assertThat(evals.eval("globex", "eval-1")).as("another tenant's eval is not found").isEmpty();
        assertThat(evals.evals("acme", null, 10)).extracting(Eval::id).containsExactly("eval-2", "eval-1");
        assertThat(evals.evals("acme", "eval-2", 10)).extracting(Eval::id).containsExactly("eval-1");
        assertThat(evals.evalOfJob("ftjob-1")).hasValueSatisfying(e -> assertThat(e.id()).isEqualTo("eval-1"));

        assertThat(evals.claimable(200)).extracting(Eval::id).containsExactly("eval-1", "eval-2", "eval-3");
        assertThat(evals.claim("eval-1", 200, 260)).isTrue();
        assertThat(evals.claim("eval-1", 201, 261)).as("held by the first runner").isFalse();
        assertThat(evals.claimable(230)).extracting(Eval::id).doesNotContain("eval-1");
        assertThat(evals.claimable(300)).as("a lapsed lease is taken up again").extracting(Eval::id).contains("eval-1");
        assertThat(evals.evalById("eval-1").orElseThrow().status()).isEqualTo(EvalStatus.RUNNING);

        evals.putResults("eval-1", 0, List.of(new EvalStore.Result(0, 0, "{\"a\":1}"), new EvalStore.Result(0, 1, "{\"a\":2}")));
        evals.putResults("eval-1", 1, List.of(new EvalStore.Result(1, 0, "{\"b\":1}")));
        evals.putResults("eval-1", 1, List.of(new EvalStore.Result(1, 0, "{\"b\":9}"), new EvalStore.Result(1, 1, "{\"b\":8}")));
        assertThat(evals.results("eval-1")).extracting(EvalStore.Result::data)
                .as("a variant stored again replaces its results").containsExactly("{\"a\":1}", "{\"a\":2}", "{\"b\":9}", "{\"b\":8}");
        evals.release("eval-1");
        assertThat(evals.claimable(201)).extracting(Eval::id).contains("eval-1");
        evals.updateRequest("eval-1", "{\"dataset\":\"file-1\",\"x\":1}");
        evals.succeed("eval-1", "{\"verdict\":{}}", 400, "Eval succeeded", "{}");
        Eval done = evals.evalById("eval-1").orElseThrow();
        assertThat(done.status()).isEqualTo(EvalStatus.SUCCEEDED);
        assertThat(done.report()).isEqualTo("{\"verdict\":{}}");
        assertThat(done.request()).contains("\"x\":1");
        assertThat(done.finishedAt()).isEqualTo(400);
        assertThat(evals.claimable(1000)).extracting(Eval::id).containsExactly("eval-2", "eval-3");

        evals.fail("eval-2", "job_failed", "job ftjob-9 failed", "job", 500);
        Eval failed = evals.evalById("eval-2").orElseThrow();
        assertThat(failed.status()).isEqualTo(EvalStatus.FAILED);
        assertThat(failed.errorParam()).isEqualTo("job");
        evals.appendEvent("eval-2", 501, "info", "progress", "late", null);
        assertThat(evals.events("eval-2", 0, 10)).extracting(EvalEvent::message).containsExactly("Created eval", "job ftjob-9 failed", "late");
        assertThat(evals.eventsNewestFirst("eval-2", 3, 10)).extracting(EvalEvent::seq).containsExactly(2L, 1L);
        assertThat(evals.events("eval-2", 0, 10).get(0).id()).isEqualTo("evalevent-2-1");
    }

    @Test
    void aJobsEvalHoldsItsTrainingUntilItHasStoredAResultOrEnded() {
        Store store = store();
        EvalStore evals = new EvalStore(database());
        store.insertFile(file("acme", "file-1", 100));
        store.createJob(job("acme", "ftjob-1", "file-1", 100, null), "Created fine-tuning job");
        store.createJob(job("acme", "ftjob-2", "file-1", 100, null), "Created fine-tuning job");
        assertThat(evals.holdsTraining("eval-1")).as("the job is recorded before its eval").isTrue();
        evals.create(Eval.created("eval-1", "acme", "ftjob-1", "{}", 110), "Created eval");
        evals.create(Eval.created("eval-2", "acme", "ftjob-2", "{}", 110), "Created eval");
        assertThat(evals.claim("eval-1", 120, 180)).isTrue();
        assertThat(evals.holdsTraining("eval-1")).as("running, nothing stored yet").isTrue();
        evals.putResults("eval-1", 0, List.of(new EvalStore.Result(0, 0, "{}")));
        evals.release("eval-1");
        assertThat(evals.holdsTraining("eval-1")).as("the baseline is stored").isFalse();
        assertThat(evals.holdsTraining("eval-2")).isTrue();
        evals.fail("eval-2", "eval_error", "the eval stopped: serving refused loraplane-tiny", null, 130);
        assertThat(evals.holdsTraining("eval-2")).as("a failed eval holds nothing back").isFalse();
    }
}
