package dev.loraplane.orchestrator.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The store on the real PostgreSQL server, a new schema for each test. */
class PostgresStoreTest extends StoreContract {

    private String schema;
    private Database db;

    @BeforeEach
    void open() {
        schema = TestDatabases.freshSchema();
        db = TestDatabases.postgres(schema);
    }

    @AfterEach
    void drop() {
        if (db != null) {
            db.close();
            TestDatabases.dropPostgres(schema);
        }
    }

    @Override
    Database database() {
        return db;
    }

    @Test
    void transactionsShareAPoolTheSchedulerLockStaysOutOfAndCloseEnds() throws SQLException {
        Database pooled = TestDatabases.postgresWithPool(schema, 2);
        Set<Integer> sessions = ConcurrentHashMap.newKeySet();
        IntStream.range(0, 40).parallel().forEach(i -> sessions.add(pooled.transaction(PostgresStoreTest::backend)));
        assertThat(sessions).hasSizeBetween(1, 2);
        try (Connection own = pooled.connect()) {
            assertThat(sessions).doesNotContain(backend(own));
        }
        pooled.close();
        try (Connection c = db.connect(); Statement s = c.createStatement();
                ResultSet alive = s.executeQuery("SELECT pid FROM pg_stat_activity WHERE pid IN ("
                        + sessions.stream().map(String::valueOf).collect(Collectors.joining(",")) + ")")) {
            assertThat(alive.next()).as("a pooled session outlived close()").isFalse();
        }
        assertThatThrownBy(() -> pooled.transaction(PostgresStoreTest::backend)).isInstanceOf(StoreException.class)
                .hasMessageContaining("is closed");
    }

    private static int backend(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pg_backend_pid()")) {
            r.next();
            return r.getInt(1);
        }
    }
}
