package dev.loraplane.orchestrator.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * Where the job store lives: an embedded H2 file database under the data directory (the laptop
 * default) or a PostgreSQL server (production). Both run the same SQL.
 */
public final class Database {

    /** A unit of work on one connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final String url;
    private final boolean postgres;

    private Database(String url) {
        this.url = url;
        this.postgres = url.startsWith("jdbc:postgresql:");
    }

    /** The embedded database in {@code dir}, created on first use. */
    public static Database h2(Path dir) {
        return new Database("jdbc:h2:file:" + dir.toAbsolutePath().resolve("loraplane")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1");
    }

    /** A JDBC URL: {@code jdbc:postgresql://…} or {@code jdbc:h2:…}. */
    public static Database of(String url) {
        if (!url.startsWith("jdbc:postgresql:") && !url.startsWith("jdbc:h2:")) {
            throw new IllegalArgumentException("database url '" + url + "' is neither jdbc:postgresql: nor jdbc:h2:");
        }
        return new Database(url);
    }

    public boolean isPostgres() {
        return postgres;
    }

    /** The URL without credentials, for logs and doctor. */
    public String describe() {
        int query = url.indexOf('?');
        return query < 0 ? url.replaceAll(";.*", "") : url.substring(0, query);
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url);
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T transaction(Work<T> work) {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("database error on " + describe() + ": " + e.getMessage(), e);
        }
    }
}
