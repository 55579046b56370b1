package dev.loraplane.orchestrator.store;

import dev.loraplane.orchestrator.jobs.Leadership;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes one control plane the scheduler when several share a PostgreSQL database: a session-level
 * advisory lock held on a connection of its own, released by the server when that connection or its
 * process dies, so a standby takes over at its next sweep. On the embedded H2 database there is only
 * one process, which always holds it.
 */
public final class SchedulerLock implements Leadership {

    private static final Logger LOG = LoggerFactory.getLogger(SchedulerLock.class);
    private static final long KEY = 0x6c6f72615f736368L;   // "lora_sch"

    private final Database db;
    private Connection held;

    public SchedulerLock(Database db) {
        this.db = db;
    }

    /** Whether this process schedules now; takes the lock when it is free. Blocking JDBC. */
    @Override
    public synchronized boolean acquire() {
        if (!db.isPostgres()) {
            return true;
        }
        try {
            if (held != null && held.isValid(2)) {
                return true;
            }
            if (held != null) {
                LOG.warn("lost the connection that held the scheduler lock; trying to take it again");
                closeQuietly();
            }
            Connection c = db.connect();
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pg_try_advisory_lock(" + KEY + ")")) {
                r.next();
                if (r.getBoolean(1)) {
                    held = c;
                    LOG.info("this control plane now schedules (advisory lock {} on {})", KEY, db.describe());
                    return true;
                }
            }
            c.close();
            return false;
        } catch (SQLException e) {
            LOG.warn("cannot take the scheduler lock on {}: {}", db.describe(), e.getMessage());
            closeQuietly();
            return false;
        }
    }

    @Override
    public synchronized void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        if (held != null) {
            try {
                held.close();
            } catch (SQLException e) {
                LOG.debug("closing the scheduler lock's connection", e);
            }
            held = null;
        }
    }
}
