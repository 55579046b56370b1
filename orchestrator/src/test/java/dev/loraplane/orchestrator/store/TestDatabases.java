package dev.loraplane.orchestrator.store;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The two back ends the store tests run on: a fresh embedded H2 file database, and a fresh schema on
 * the real PostgreSQL server named by {@code LORAPLANE_TEST_PG_URL} (CI sets it; without it the
 * PostgreSQL runs skip, loudly).
 */
final class TestDatabases {

    static final String PG_ENV = "LORAPLANE_TEST_PG_URL";

    private TestDatabases() {}

    static Database h2(Path dir) {
        return Database.h2(dir);
    }

    /** A database on a schema of its own, dropped by {@link #dropPostgres}. */
    static Database postgres(String schema) {
        return postgresWithPool(schema, Database.DEFAULT_POOL_SIZE);
    }

    /** {@link #postgres} with a pool of {@code poolSize} connections; the schema is made when missing. */
    static Database postgresWithPool(String schema, int poolSize) {
        String url = System.getenv(PG_ENV);
        if (url == null || url.isBlank()) {
            String message = "SKIPPED: " + PG_ENV + " is not set, so the store tests do not run on PostgreSQL here."
                    + " Set it to a server's JDBC URL, e.g. jdbc:postgresql://127.0.0.1:5432/test?user=postgres (CI does).";
            System.err.println("*** " + message);
            assumeTrue(false, message);
        }
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException(PG_ENV + "=" + url + " is set but the server cannot be used: " + e.getMessage(), e);
        }
        return Database.of(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema, poolSize);
    }

    static void dropPostgres(String schema) {
        try (Connection c = DriverManager.getConnection(System.getenv(PG_ENV)); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop test schema " + schema + ": " + e.getMessage(), e);
        }
    }

    static String freshSchema() {
        return "lp_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }
}
