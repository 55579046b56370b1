package dev.loraplane.orchestrator.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
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
        return new Job(id, tenant, "loraplane-tiny", JobStatus.VALIDATING_FILES, 0, file, null, "{\"model\":\"loraplane-tiny\"}",
                null, null, null, null, null, 0, idempotencyKey, createdAt, null);
    }

    @Test
    void migrationsApplyOnceAndAgainIsANoOp() {
        assertThat(Migrations.apply(database())).containsExactly(1, 2);
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
        Job queued = new Job(job.id(), job.tenant(), job.model(), JobStatus.QUEUED, 0, job.trainingFile(), null, job.request(),
                null, null, null, null, null, 0, null, job.createdAt(), null);
        store.transition(queued, Set.of(JobStatus.VALIDATING_FILES), new JobEvent(job.id(), 0, 11, "info", "status", "Files validated", null));
        assertThat(store.job("acme", "ftjob-1")).hasValueSatisfying(j -> assertThat(j.status()).isEqualTo(JobStatus.QUEUED));

        // A second writer that still believes the job is validating loses, and writes no event.
        assertThatThrownBy(() -> store.transition(queued, Set.of(JobStatus.VALIDATING_FILES),
                new JobEvent(job.id(), 0, 12, "info", "status", "duplicate", null))).isInstanceOf(JobStateException.class)
                .hasMessageContaining("no longer validating_files");
        assertThat(store.events("ftjob-1", 0, 10)).extracting(JobEvent::message).containsExactly("created", "Files validated");

        Job failed = new Job(job.id(), job.tenant(), job.model(), JobStatus.FAILED, 0, job.trainingFile(), null, job.request(),
                null, "invalid_training_file", "line 3: …", "training_file", 0L, 1, null, job.createdAt(), 20L);
        store.transition(failed, Set.of(JobStatus.QUEUED, JobStatus.RUNNING), new JobEvent(job.id(), 0, 20, "error", "status", "Failed", null));
        Job stored = store.job("acme", "ftjob-1").orElseThrow();
        assertThat(stored.errorCode()).isEqualTo("invalid_training_file");
        assertThat(stored.finishedAt()).isEqualTo(20L);
        assertThat(stored.attempts()).isEqualTo(1);
        assertThat(store.jobsIn(Set.of(JobStatus.QUEUED))).isEmpty();
    }

    @Test
    void aSucceededJobRegistersItsAdapterInTheSameTransaction() {
        Store store = store();
        store.insertFile(file("acme", "file-1", 1));
        Job job = store.createJob(job("acme", "ftjob-1", "file-1", 10, null), "created");
        Job running = new Job(job.id(), job.tenant(), job.model(), JobStatus.RUNNING, 0, job.trainingFile(), null, job.request(),
                null, null, null, null, null, 1, null, job.createdAt(), null);
        store.transition(running, Set.of(JobStatus.VALIDATING_FILES), new JobEvent(job.id(), 0, 11, "info", "status", "Running", null));
        Job done = new Job(job.id(), job.tenant(), job.model(), JobStatus.SUCCEEDED, 0, job.trainingFile(), null, job.request(),
                "ft:loraplane-tiny:facts:1", null, null, null, 1234L, 1, null, job.createdAt(), 30L);
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
}
