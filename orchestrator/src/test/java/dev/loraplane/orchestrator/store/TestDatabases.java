package dev.loraplane.orchestrator.store;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The two back ends the store tests run on: a fresh embedded H2 file database, and a fresh schema on
 * the real PostgreSQL server named by {@code LORAPLANE_TEST_PG_URL} (CI sets it), or else one that
 * Testcontainers starts where Docker runs; with neither, the PostgreSQL runs skip, loudly.
 */
final class TestDatabases {

    static final String PG_ENV = "LORAPLANE_TEST_PG_URL";
    private static PostgreSQLContainer container;

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
        String url = serverUrl();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("the PostgreSQL server at " + url.replaceAll("\\?.*", "") + " cannot be used: "
                    + e.getMessage(), e);
        }
        return Database.of(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema, poolSize);
    }

    static void dropPostgres(String schema) {
        try (Connection c = DriverManager.getConnection(serverUrl()); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop test schema " + schema + ": " + e.getMessage(), e);
        }
    }

    /**
     * The server the PostgreSQL runs use: the one {@code LORAPLANE_TEST_PG_URL} names (CI's), else a
     * Testcontainers PostgreSQL where Docker runs, else none and the test skips, saying why.
     */
    static synchronized String serverUrl() {
        String url = System.getenv(PG_ENV);
        if (url != null && !url.isBlank()) {
            return url;
        }
        if (container == null) {
            if (!DockerClientFactory.instance().isDockerAvailable()) {
                String message = "SKIPPED: " + PG_ENV + " is not set and no Docker engine runs here, so the store tests do not"
                        + " run on PostgreSQL. Set it to a server's JDBC URL, e.g."
                        + " jdbc:postgresql://127.0.0.1:5432/test?user=postgres (CI does), or start Docker for Testcontainers.";
                System.err.println("*** " + message);
                assumeTrue(false, message);
            }
            container = new PostgreSQLContainer("postgres:16-alpine");
            container.start();   // stopped by Testcontainers' reaper when the test JVM ends
        }
        String jdbc = container.getJdbcUrl();
        return jdbc + (jdbc.contains("?") ? "&" : "?") + "user=" + container.getUsername() + "&password=" + container.getPassword();
    }

    static String freshSchema() {
        return "lp_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }
}
