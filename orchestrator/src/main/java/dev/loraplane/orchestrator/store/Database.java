package dev.loraplane.orchestrator.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * Where the job store lives: an embedded H2 file database under the data directory (the laptop
 * default) or a PostgreSQL server (production). Both run the same SQL. Transactions on PostgreSQL
 * borrow from a connection pool, opened on first use; H2 in the same process needs none.
 */
public final class Database implements AutoCloseable {

    /** Connections a PostgreSQL pool holds unless told otherwise. */
    public static final int DEFAULT_POOL_SIZE = 10;

    /** A unit of work on one connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final String url;
    private final boolean postgres;
    private final int poolSize;
    private HikariDataSource pool;
    private boolean closed;

    private Database(String url, int poolSize) {
        this.url = url;
        this.postgres = url.startsWith("jdbc:postgresql:");
        this.poolSize = poolSize;
    }

    /** The embedded database in {@code dir}, created on first use. */
    public static Database h2(Path dir) {
        return new Database("jdbc:h2:file:" + dir.toAbsolutePath().resolve("loraplane")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1", 0);
    }

    /** A JDBC URL: {@code jdbc:postgresql://…} or {@code jdbc:h2:…}, with the default pool size. */
    public static Database of(String url) {
        return of(url, DEFAULT_POOL_SIZE);
    }

    /** A JDBC URL whose PostgreSQL pool holds at most {@code poolSize} connections. */
    public static Database of(String url, int poolSize) {
        if (!url.startsWith("jdbc:postgresql:") && !url.startsWith("jdbc:h2:")) {
            throw new IllegalArgumentException("database url '" + url + "' is neither jdbc:postgresql: nor jdbc:h2:");
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("database pool size is " + poolSize + "; expected 1 or more");
        }
        return new Database(url, poolSize);
    }

    public boolean isPostgres() {
        return postgres;
    }

    /** The URL without credentials, for logs and doctor. */
    public String describe() {
        int query = url.indexOf('?');
        return query < 0 ? url.replaceAll(";.*", "") : url.substring(0, query);
    }

    /**
     * A connection of its own, outside the pool, for a session that outlives transactions (the
     * scheduler's advisory lock). The caller closes it.
     */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url);
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T transaction(Work<T> work) {
        try (Connection c = postgres ? pool().getConnection() : connect()) {
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
            String why = e.getCause() != null ? e.getMessage() + " (" + e.getCause().getMessage() + ")" : e.getMessage();
            throw new StoreException("database error on " + describe() + ": " + why, e);
        }
    }

    private synchronized HikariDataSource pool() {
        if (closed) {
            throw new StoreException("the database " + describe() + " is closed");
        }
        if (pool == null) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(url);
            config.setMaximumPoolSize(poolSize);
            config.setPoolName("loraplane-db");
            config.setConnectionTimeout(10_000);
            config.setInitializationFailTimeout(-1);   // an unreachable server fails the transaction, not the pool
            pool = new HikariDataSource(config);
        }
        return pool;
    }

    /** Closes the pool's connections; connections from {@link #connect()} are their owners' to close. */
    @Override
    public synchronized void close() {
        closed = true;
        if (pool != null) {
            pool.close();
            pool = null;
        }
    }
}
