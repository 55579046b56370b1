package dev.loraplane.orchestrator.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Evals in the store: their rows, the per-example results of each variant, and their event logs. As
 * with jobs, every query an API request makes is scoped to a tenant, and every state change is one
 * transaction with the event that records it. Blocking JDBC: callers run it off the event loop.
 */
public final class EvalStore {

    private static final String COLUMNS = "id, tenant, status, job_id, request, report, error_code, error_message, error_param,"
            + " created_at, finished_at";

    /** One stored per-example result: variant and example are indexes into the eval's request and dataset. */
    public record Result(int variant, int example, String data) {}

    private final Database db;

    /** The store of {@code db}, whose schema {@link Store#open} has brought up to date. */
    public EvalStore(Database db) {
        this.db = db;
    }

    /** Records a new eval (queued: no report, no error yet) with its first event. */
    public Eval create(Eval eval, String message) {
        return db.transaction(c -> {
            update(c, "INSERT INTO evals (id, tenant, status, job_id, request, created_at) VALUES (?, ?, ?, ?, ?, ?)", eval.id(),
                    eval.tenant(), eval.status().wireName(), eval.jobId(), eval.request(), eval.createdAt());
            appendEvent(c, eval.id(), eval.createdAt(), "info", "message", message, null);
            return eval;
        });
    }

    public Optional<Eval> eval(String tenant, String id) {
        return db.transaction(c -> one(c, "SELECT " + COLUMNS + " FROM evals WHERE tenant = ? AND id = ?", tenant, id));
    }

    /** Any tenant's eval by id: for the runner, never for API requests. */
    public Optional<Eval> evalById(String id) {
        return db.transaction(c -> one(c, "SELECT " + COLUMNS + " FROM evals WHERE id = ?", id));
    }

    /** The eval of a fine-tuning job's baseline, if the job asked for one. */
    public Optional<Eval> evalOfJob(String jobId) {
        return db.transaction(c -> one(c, "SELECT " + COLUMNS + " FROM evals WHERE job_id = ? ORDER BY created_at, id", jobId));
    }

    /**
     * Whether a fine-tuning job's eval still holds back its training: the eval is not recorded yet, or
     * it has stored no result and has not ended. A job's eval measures its baseline first, so the
     * baseline's results, or the eval's failure, let the job start.
     */
    public boolean holdsTraining(String evalId) {
        return db.transaction(c -> all(c, "SELECT COUNT(*) FROM evals e WHERE e.id = ? AND (e.status IN ('succeeded', 'failed')"
                + " OR EXISTS (SELECT 1 FROM eval_results r WHERE r.eval_id = e.id))", r -> r.getLong(1), evalId).get(0) == 0);
    }

    /** The tenant's evals, newest first: up to {@code limit} created before eval {@code after} (null for the newest). */
    public List<Eval> evals(String tenant, String after, int limit) {
        return db.transaction(c -> {
            if (after == null) {
                return all(c, "SELECT " + COLUMNS + " FROM evals WHERE tenant = ? ORDER BY created_at DESC, id DESC LIMIT " + limit,
                        EvalStore::eval, tenant);
            }
            Optional<Eval> cursor = one(c, "SELECT " + COLUMNS + " FROM evals WHERE tenant = ? AND id = ?", tenant, after);
            if (cursor.isEmpty()) {
                return List.of();
            }
            return all(c, "SELECT " + COLUMNS + " FROM evals WHERE tenant = ? AND (created_at < ? OR (created_at = ? AND id < ?))"
                    + " ORDER BY created_at DESC, id DESC LIMIT " + limit, EvalStore::eval, tenant, cursor.get().createdAt(),
                    cursor.get().createdAt(), after);
        });
    }

    /** Evals not final and held by no runner (never claimed, released, or whose runner's lease lapsed before {@code now}), oldest first. */
    public List<Eval> claimable(long now) {
        return db.transaction(c -> all(c, "SELECT " + COLUMNS + " FROM evals WHERE status IN ('queued', 'running')"
                + " AND (lease_until IS NULL OR lease_until < ?) ORDER BY created_at, id", EvalStore::eval, now));
    }

    /**
     * Takes an eval for this runner until {@code until}: it is running from now on. Only one of several
     * runners sweeping at once gets it.
     *
     * @return whether this call took it
     */
    public boolean claim(String id, long now, long until) {
        return db.transaction(c -> update(c, "UPDATE evals SET status = 'running', lease_until = ? WHERE id = ?"
                + " AND status IN ('queued', 'running') AND (lease_until IS NULL OR lease_until < ?)", until, id, now) == 1);
    }

    /** Extends this runner's hold on a running eval. */
    public void renew(String id, long until) {
        db.transaction(c -> update(c, "UPDATE evals SET lease_until = ? WHERE id = ? AND status = 'running'", until, id));
    }

    /** Lets go of a running eval that waits for something (its job's adapter), so any runner's sweep may take it up. */
    public void release(String id) {
        db.transaction(c -> update(c, "UPDATE evals SET lease_until = NULL WHERE id = ?", id));
    }

    /** Replaces the eval's definition (an adapter variant of a job's eval gets its model). */
    public void updateRequest(String id, String request) {
        db.transaction(c -> update(c, "UPDATE evals SET request = ? WHERE id = ?", request, id));
    }

    /** Stores one variant's results, replacing any it had (a run taken up again after its runner died). */
    public void putResults(String evalId, int variant, List<Result> results) {
        db.transaction(c -> {
            update(c, "DELETE FROM eval_results WHERE eval_id = ? AND variant = ?", evalId, variant);
            try (PreparedStatement p = c.prepareStatement("INSERT INTO eval_results (eval_id, variant, example, data)"
                    + " VALUES (?, ?, ?, ?)")) {
                for (Result r : results) {
                    p.setString(1, evalId);
                    p.setInt(2, variant);
                    p.setInt(3, r.example());
                    p.setString(4, r.data());
                    p.addBatch();
                }
                p.executeBatch();
            }
            return null;
        });
    }

    /** Every stored result of an eval, by variant then example. */
    public List<Result> results(String evalId) {
        return db.transaction(c -> all(c, "SELECT variant, example, data FROM eval_results WHERE eval_id = ? ORDER BY variant, example",
                r -> new Result(r.getInt(1), r.getInt(2), r.getString(3)), evalId));
    }

    /** Ends a running eval with its report, and its last event, in one transaction. */
    public void succeed(String id, String report, long at, String message, String data) {
        db.transaction(c -> {
            update(c, "UPDATE evals SET status = 'succeeded', report = ?, finished_at = ?, lease_until = NULL WHERE id = ?",
                    report, at, id);
            appendEvent(c, id, at, "info", "status", message, data);
            return null;
        });
    }

    /** Ends an eval that cannot go on, with OpenAI's error fields and an event saying why. */
    public void fail(String id, String code, String message, String param, long at) {
        db.transaction(c -> {
            update(c, "UPDATE evals SET status = 'failed', error_code = ?, error_message = ?, error_param = ?, finished_at = ?,"
                    + " lease_until = NULL WHERE id = ? AND status IN ('queued', 'running')", code, message, param, at, id);
            appendEvent(c, id, at, "error", "status", message, null);
            return null;
        });
    }

    /** Appends an event that changes no state (progress, a variant's summary). */
    public EvalEvent appendEvent(String evalId, long createdAt, String level, String type, String message, String data) {
        return db.transaction(c -> appendEvent(c, evalId, createdAt, level, type, message, data));
    }

    /** Events of an eval after {@code afterSeq}, oldest first, at most {@code limit}. */
    public List<EvalEvent> events(String evalId, long afterSeq, int limit) {
        return db.transaction(c -> all(c, "SELECT * FROM eval_events WHERE eval_id = ? AND seq > ? ORDER BY seq LIMIT " + limit,
                EvalStore::event, evalId, afterSeq));
    }

    /** Events before {@code beforeSeq} (0 for the newest), newest first, at most {@code limit}: the API's order. */
    public List<EvalEvent> eventsNewestFirst(String evalId, long beforeSeq, int limit) {
        return db.transaction(c -> all(c, "SELECT * FROM eval_events WHERE eval_id = ? AND (? = 0 OR seq < ?) ORDER BY seq DESC"
                + " LIMIT " + limit, EvalStore::event, evalId, beforeSeq, beforeSeq));
    }

    private static EvalEvent appendEvent(Connection c, String evalId, long createdAt, String level, String type, String message,
            String data) throws SQLException {
        long seq = all(c, "SELECT COALESCE(MAX(seq), 0) + 1 FROM eval_events WHERE eval_id = ?", r -> r.getLong(1), evalId).get(0);
        update(c, "INSERT INTO eval_events (eval_id, seq, created_at, level, type, message, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                evalId, seq, createdAt, level, type, message, data);
        return new EvalEvent(evalId, seq, createdAt, level, type, message, data);
    }

    // ---- mapping --------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Row<T> {
        T map(ResultSet r) throws SQLException;
    }

    private static Optional<Eval> one(Connection c, String sql, Object... args) throws SQLException {
        return all(c, sql, EvalStore::eval, args).stream().findFirst();
    }

    /** Runs one INSERT, UPDATE or DELETE; a null argument is bound as a null string (only string columns take one). */
    private static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            bind(p, args);
            return p.executeUpdate();
        }
    }

    private static <T> List<T> all(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            bind(p, args);
            try (ResultSet r = p.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (r.next()) {
                    out.add(row.map(r));
                }
                return out;
            }
        }
    }

    private static void bind(PreparedStatement p, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            if (args[i] == null) {
                p.setNull(i + 1, Types.VARCHAR);
            } else {
                p.setObject(i + 1, args[i]);
            }
        }
    }

    private static Eval eval(ResultSet r) throws SQLException {
        long finished = r.getLong("finished_at");
        Long finishedAt = r.wasNull() ? null : finished;
        return new Eval(r.getString("id"), r.getString("tenant"), EvalStatus.fromWire(r.getString("status")), r.getString("job_id"),
                r.getString("request"), r.getString("report"), r.getString("error_code"), r.getString("error_message"),
                r.getString("error_param"), r.getLong("created_at"), finishedAt);
    }

    private static EvalEvent event(ResultSet r) throws SQLException {
        return new EvalEvent(r.getString("eval_id"), r.getLong("seq"), r.getLong("created_at"), r.getString("level"),
                r.getString("type"), r.getString("message"), r.getString("data"));
    }
}
