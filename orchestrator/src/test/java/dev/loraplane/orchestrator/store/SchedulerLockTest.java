package dev.loraplane.orchestrator.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One control plane schedules at a time: two locks on the same PostgreSQL database, as two processes would hold them. */
class SchedulerLockTest {

    @TempDir
    Path dir;

    @Test
    void onPostgresOneHolderAtATimeAndTheStandbyTakesOverWhenItGoes() {
        String schema = TestDatabases.freshSchema();
        Database db = TestDatabases.postgres(schema);
        try (SchedulerLock first = new SchedulerLock(db); SchedulerLock second = new SchedulerLock(db)) {
            assertThat(first.acquire()).as("the first process takes the lock").isTrue();
            assertThat(second.acquire()).as("the second one stands by").isFalse();
            assertThat(first.acquire()).as("the holder keeps it").isTrue();

            first.close();   // its connection closes, as when its process dies
            assertThat(second.acquire()).as("the standby takes over at its next sweep").isTrue();
            assertThat(first.acquire()).isFalse();
        } finally {
            TestDatabases.dropPostgres(schema);
        }
    }

    @Test
    void onTheEmbeddedDatabaseTheOneProcessAlwaysSchedules() {
        try (SchedulerLock lock = new SchedulerLock(Database.h2(dir))) {
            assertThat(lock.acquire()).isTrue();
        }
    }
}
