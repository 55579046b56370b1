package dev.loraplane.orchestrator.store;

import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The control plane's source of truth: files, jobs and their event logs, and the adapter registry.
 * Every query is scoped to a tenant; another tenant's row is simply not found. Every job state
 * change is one transaction with the event that records it. Blocking JDBC: callers run it off the
 * event loop.
 */
public final class Store implements AdapterRegistry {

    private static final String JOB_FIELDS = "id, tenant, model, status, priority, training_file, validation_file,"
            + " request, fine_tuned_model, error_code, error_message, error_param, trained_tokens, attempts,"
            + " idempotency_key, created_at, finished_at, queued_at, not_before, estimated_cost_usd";
    /** A job's fields, its cost so far (only {@link #endAttempt} writes it) and its ETA (only {@link #progress}). */
    private static final String JOB_COLUMNS = JOB_FIELDS + ", cost_usd, estimated_finish";
    private static final String ATTEMPT_COLUMNS = "job_id, attempt, executor, accelerator, product, devices, started_at,"
            + " ended_at, outcome, device_seconds, cost_usd, billed_until, effective_usd";

    private final Database db;

    public Store(Database db) {
        this.db = db;
    }

    /** Opens the store, bringing the schema up to date. */
    public static Store open(Database db) {
        Migrations.apply(db);
        return new Store(db);
    }

    // ---- files ----------------------------------------------------------------------------------

    public StoredFile insertFile(StoredFile file) {
        return db.transaction(c -> {
            update(c, "INSERT INTO files (id, tenant, filename, purpose, bytes, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    file.id(), file.tenant(), file.filename(), file.purpose(), file.bytes(), file.sha256(), file.createdAt());
            return file;
        });
    }

    public Optional<StoredFile> file(String tenant, String id) {
        return db.transaction(c -> one(c, "SELECT * FROM files WHERE tenant = ? AND id = ?", Store::file, tenant, id));
    }

    /** The tenant's files, newest first. */
    public List<StoredFile> files(String tenant) {
        return db.transaction(c -> all(c, "SELECT * FROM files WHERE tenant = ? ORDER BY created_at DESC, id DESC",
                Store::file, tenant));
    }

    /**
     * Deletes a file no job refers to.
     *
     * @return false when there is no such file for this tenant
     * @throws StoreException when a job still uses it
     */
    public boolean deleteFile(String tenant, String id) {
        return db.transaction(c -> {
            List<String> users = all(c, "SELECT id FROM jobs WHERE tenant = ? AND (training_file = ? OR validation_file = ?)",
                    r -> r.getString(1), tenant, id, id);
            if (!users.isEmpty()) {
                throw new FileInUseException(id, users);
            }
            try (PreparedStatement p = c.prepareStatement("DELETE FROM files WHERE tenant = ? AND id = ?")) {
                p.setString(1, tenant);
                p.setString(2, id);
                return p.executeUpdate() == 1;
            }
        });
    }

    // ---- jobs -----------------------------------------------------------------------------------

    /**
     * Records a new job with its first event. With an idempotency key that this tenant already used,
     * nothing is written and the earlier job is returned.
     */
    public Job createJob(Job job, String message) {
        return db.transaction(c -> {
            if (job.idempotencyKey() != null) {
                Optional<Job> earlier = one(c, "SELECT " + JOB_COLUMNS + " FROM jobs WHERE tenant = ? AND idempotency_key = ?",
                        Store::job, job.tenant(), job.idempotencyKey());
                if (earlier.isPresent()) {
                    return earlier.get();
                }
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO jobs (" + JOB_FIELDS + ") VALUES"
                    + " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                bindJob(p, job);
                p.executeUpdate();
            }
            appendEvent(c, job.id(), job.createdAt(), "info", "message", message, null);
            return job;
        });
    }

    public Optional<Job> job(String tenant, String id) {
        return db.transaction(c -> one(c, "SELECT " + JOB_COLUMNS + " FROM jobs WHERE tenant = ? AND id = ?", Store::job, tenant, id));
    }

    /** Any tenant's job by id: for the control plane's own loops, never for API requests. */
    public Optional<Job> jobById(String id) {
        return db.transaction(c -> one(c, "SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = ?", Store::job, id));
    }

    /**
     * The tenant's jobs, newest first, as OpenAI pages them: up to {@code limit} jobs created before
     * job {@code after} (null for the newest).
     */
    public List<Job> jobs(String tenant, String after, int limit) {
        return db.transaction(c -> {
            if (after == null) {
                return all(c, "SELECT " + JOB_COLUMNS + " FROM jobs WHERE tenant = ? ORDER BY created_at DESC, id DESC LIMIT "
                        + limit, Store::job, tenant);
            }
            Optional<Job> cursor = one(c, "SELECT " + JOB_COLUMNS + " FROM jobs WHERE tenant = ? AND id = ?", Store::job, tenant, after);
            if (cursor.isEmpty()) {
                return List.of();
            }
            return all(c, "SELECT " + JOB_COLUMNS + " FROM jobs WHERE tenant = ? AND (created_at < ? OR (created_at = ? AND id < ?))"
                    + " ORDER BY created_at DESC, id DESC LIMIT " + limit, Store::job, tenant, cursor.get().createdAt(),
                    cursor.get().createdAt(), after);
        });
    }

    /** Every job in one of these statuses, across tenants, highest priority then oldest first: the scheduler's view. */
    public List<Job> jobsIn(Collection<JobStatus> statuses) {
        return db.transaction(c -> {
            String marks = String.join(", ", statuses.stream().map(s -> "?").toList());
            return all(c, "SELECT " + JOB_COLUMNS + " FROM jobs WHERE status IN (" + marks + ")"
                    + " ORDER BY priority DESC, created_at, id", Store::job,
                    statuses.stream().map(JobStatus::wireName).toArray());
        });
    }

    /** How many jobs are in each status, across tenants; a status no job is in is absent. */
    public Map<JobStatus, Long> countJobsByStatus() {
        return db.transaction(c -> {
            Map<JobStatus, Long> counts = new EnumMap<>(JobStatus.class);
            try (PreparedStatement p = c.prepareStatement("SELECT status, COUNT(*) FROM jobs GROUP BY status");
                    ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    counts.put(JobStatus.fromWire(r.getString(1)), r.getLong(2));
                }
            }
            return counts;
        });
    }

    /** How many jobs are queued, across tenants, by the accelerator type their request asks for (cpu when it names none). */
    public Map<String, Long> countQueuedByAccelerator() {
        return db.transaction(c -> {
            Map<String, Long> counts = new TreeMap<>();
            for (String request : all(c, "SELECT request FROM jobs WHERE status = ?", r -> r.getString(1),
                    JobStatus.QUEUED.wireName())) {
                String type = new JsonObject(request).getJsonObject("accelerator", new JsonObject()).getString("type", "cpu");
                counts.merge(type, 1L, Long::sum);
            }
            return counts;
        });
    }

    /**
     * Moves a job to {@code to} if it is in one of {@code from}, writing {@code event} in the same
     * transaction. The change is the row's new state ({@code updated}); only status-dependent
     * fields are taken from it.
     *
     * @throws JobStateException when the job is not in one of {@code from} (another writer moved it)
     */
    public Job transition(Job updated, Collection<JobStatus> from, JobEvent event) {
        return db.transaction(c -> transition(c, updated, from, event));
    }

    private static Job transition(Connection c, Job updated, Collection<JobStatus> from, JobEvent event) throws SQLException {
        String marks = String.join(", ", from.stream().map(s -> "?").toList());
        try (PreparedStatement p = c.prepareStatement("UPDATE jobs SET status = ?, fine_tuned_model = ?, error_code = ?,"
                + " error_message = ?, error_param = ?, trained_tokens = ?, attempts = ?, finished_at = ?, queued_at = ?,"
                + " not_before = ?, estimated_cost_usd = ?, estimated_finish = NULL WHERE id = ? AND tenant = ? AND status IN ("
                + marks + ")")) {
            int i = 1;
            p.setString(i++, updated.status().wireName());
            p.setString(i++, updated.fineTunedModel());
            p.setString(i++, updated.errorCode());
            p.setString(i++, updated.errorMessage());
            p.setString(i++, updated.errorParam());
            setLong(p, i++, updated.trainedTokens());
            p.setInt(i++, updated.attempts());
            setLong(p, i++, updated.finishedAt());
            setLong(p, i++, updated.queuedAt());
            setLong(p, i++, updated.notBefore());
            setDouble(p, i++, updated.estimatedCostUsd());
            p.setString(i++, updated.id());
            p.setString(i++, updated.tenant());
            for (JobStatus s : from) {
                p.setString(i++, s.wireName());
            }
            if (p.executeUpdate() != 1) {
                throw new JobStateException(updated.id(), from, updated.status());
            }
        }
        appendEvent(c, updated.id(), event.createdAt(), event.level(), event.type(), event.message(), event.data());
        return updated;
    }

    // ---- attempts -------------------------------------------------------------------------------

    /**
     * Starts an attempt: moves the queued job to running (its attempts counted up) and records the
     * attempt with the devices it holds, in one transaction.
     *
     * @throws JobStateException when the job is no longer queued (cancelled meanwhile)
     */
    public Job startAttempt(Job running, AttemptRecord attempt, JobEvent event) {
        return db.transaction(c -> {
            Job started = transition(c, running, List.of(JobStatus.QUEUED), event);
            update(c, "INSERT INTO attempts (" + ATTEMPT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, NULL, NULL)",
                    attempt.jobId(), attempt.number(), attempt.executor(), attempt.accelerator(), attempt.product(),
                    attempt.devices(), attempt.startedAt());
            return started;
        });
    }

    /**
     * Ends an attempt with its outcome and what its devices cost, adding that to the job's cost in the
     * same transaction; an attempt already ended is left as it is, so ending twice (a restart, a late
     * exit) counts nothing twice. Call it before moving the
     * job on: a crash in between leaves a running job with a closed attempt, which the next start
     * requeues, never an attempt that is never billed.
     *
     * @return whether this call ended it
     */
    public boolean endAttempt(String jobId, int number, long endedAt, String outcome, double deviceSeconds, double costUsd) {
        return db.transaction(c -> {
            int ended = update(c, "UPDATE attempts SET ended_at = ?, outcome = ?, device_seconds = ?, cost_usd = ?"
                    + " WHERE job_id = ? AND attempt = ? AND ended_at IS NULL", endedAt, outcome, deviceSeconds, costUsd, jobId, number);
            if (ended != 1) {
                return false;
            }
            update(c, "UPDATE jobs SET cost_usd = COALESCE(cost_usd, 0) + ? WHERE id = ?", costUsd, jobId);
            return true;
        });
    }

    /**
     * Records what the cost counters have been given for a running attempt: its device time up to
     * {@code billedUntil} (epoch milliseconds) and {@code effectiveUsd}. Call it before adding to the
     * counters; an attempt that has ended is left as it is.
     */
    public void billed(String jobId, int number, long billedUntil, Double effectiveUsd) {
        db.transaction(c -> update(c, "UPDATE attempts SET billed_until = ?, effective_usd = ? WHERE job_id = ? AND attempt = ?"
                + " AND ended_at IS NULL", billedUntil, effectiveUsd, jobId, number));
    }

    /**
     * Training tokens per device-second that succeeded jobs of this base model on this accelerator
     * type achieved, over all their attempts; empty before any did.
     */
    public Optional<Double> measuredThroughput(String model, String accelerator) {
        return db.transaction(c -> all(c, "SELECT SUM(j.trained_tokens) AS tokens, SUM(s.seconds) AS seconds FROM jobs j JOIN"
                + " (SELECT job_id, SUM(device_seconds) AS seconds FROM attempts WHERE accelerator = ? GROUP BY job_id) s"
                + " ON s.job_id = j.id WHERE j.status = 'succeeded' AND j.model = ?",
                r -> {
                    Double tokens = getDouble(r, "tokens");
                    Double seconds = getDouble(r, "seconds");
                    return Optional.ofNullable(tokens == null || seconds == null || seconds <= 0 ? null : tokens / seconds);
                }, accelerator, model)).stream().flatMap(Optional::stream).findFirst();
    }

    /** A job's attempts, first first. */
    public List<AttemptRecord> attempts(String jobId) {
        return db.transaction(c -> all(c, "SELECT " + ATTEMPT_COLUMNS + " FROM attempts WHERE job_id = ? ORDER BY attempt",
                Store::attempt, jobId));
    }

    /** Attempts that have not ended, across jobs: what the executors should be running. */
    public List<AttemptRecord> openAttempts() {
        return db.transaction(c -> all(c, "SELECT " + ATTEMPT_COLUMNS + " FROM attempts WHERE ended_at IS NULL ORDER BY job_id",
                Store::attempt));
    }

    // ---- adapters -------------------------------------------------------------------------------

    /**
     * Registers the adapter a job produced and marks the job succeeded, in one transaction: a job
     * never succeeds without its adapter, and an adapter never appears for a job that did not.
     */
    public Job succeed(Job succeeded, Adapter adapter, JobEvent event) {
        return db.transaction(c -> {
            insertNextVersion(c, adapter);
            return transition(c, succeeded, List.of(JobStatus.RUNNING), event);
        });
    }

    /**
     * Registers an imported adapter (no job) as the next version of its name for its tenant: version
     * 1 for a new name, else one past the newest. Its {@code version} field is ignored.
     *
     * @return the adapter as stored, with its version
     */
    public Adapter importAdapter(Adapter adapter) {
        if (adapter.jobId() != null) {
            throw new IllegalArgumentException("an imported adapter has no job, but " + adapter.name() + " names " + adapter.jobId());
        }
        return db.transaction(c -> insertNextVersion(c, adapter));
    }

    private static Adapter insertNextVersion(Connection c, Adapter adapter) throws SQLException {
        int version;
        try (PreparedStatement p = c.prepareStatement(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM adapters WHERE tenant = ? AND name = ?")) {
            p.setString(1, adapter.tenant());
            p.setString(2, adapter.name());
            try (ResultSet r = p.executeQuery()) {
                r.next();
                version = r.getInt(1);
            }
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO adapters (name, version, tenant, base_model, job_id, path,"
                + " sha256, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            p.setString(1, adapter.name());
            p.setInt(2, version);
            p.setString(3, adapter.tenant());
            p.setString(4, adapter.baseModel());
            p.setString(5, adapter.jobId());
            p.setString(6, adapter.path());
            p.setString(7, adapter.sha256());
            p.setLong(8, adapter.bytes());
            p.setLong(9, adapter.createdAt());
            p.executeUpdate();
        }
        return new Adapter(adapter.name(), version, adapter.tenant(), adapter.baseModel(), adapter.jobId(), adapter.path(),
                adapter.sha256(), adapter.bytes(), adapter.createdAt());
    }

    /** The tenant's adapters, newest version of each name first. */
    @Override
    public List<Adapter> adapters(String tenant) {
        return db.transaction(c -> all(c, "SELECT * FROM adapters a WHERE tenant = ? AND version = (SELECT MAX(version)"
                + " FROM adapters b WHERE b.tenant = a.tenant AND b.name = a.name) ORDER BY created_at DESC, name",
                Store::adapter, tenant));
    }

    // ---- events ---------------------------------------------------------------------------------

    /** Appends an event that changes no state (progress, metrics). */
    public JobEvent appendEvent(String jobId, long createdAt, String level, String type, String message, String data) {
        return db.transaction(c -> appendEvent(c, jobId, createdAt, level, type, message, data));
    }

    /** A running job's metrics event, and when it should now finish, in one transaction. */
    public JobEvent progress(String jobId, long createdAt, String message, String data, long estimatedFinish) {
        return db.transaction(c -> {
            update(c, "UPDATE jobs SET estimated_finish = ? WHERE id = ? AND status = 'running'", estimatedFinish, jobId);
            return appendEvent(c, jobId, createdAt, "info", "metrics", message, data);
        });
    }

    /** Events of a job before {@code beforeSeq} (0 for the newest), newest first, at most {@code limit}: the API's order. */
    public List<JobEvent> eventsNewestFirst(String jobId, long beforeSeq, int limit) {
        return db.transaction(c -> all(c, "SELECT * FROM job_events WHERE job_id = ? AND (? = 0 OR seq < ?) ORDER BY seq DESC LIMIT "
                + limit, Store::event, jobId, beforeSeq, beforeSeq));
    }

    /** A job's events of one type, newest first. */
    public List<JobEvent> eventsOfType(String jobId, String type, int limit) {
        return db.transaction(c -> all(c, "SELECT * FROM job_events WHERE job_id = ? AND type = ? ORDER BY seq DESC LIMIT " + limit,
                Store::event, jobId, type));
    }

    /** Deletes every version of an adapter; false when the tenant has none by that name. */
    public boolean deleteAdapter(String tenant, String name) {
        return db.transaction(c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM adapters WHERE tenant = ? AND name = ?")) {
                p.setString(1, tenant);
                p.setString(2, name);
                return p.executeUpdate() > 0;
            }
        });
    }

    /** Every version of one adapter, newest first. */
    @Override
    public List<Adapter> adapterVersions(String tenant, String name) {
        return db.transaction(c -> all(c, "SELECT * FROM adapters WHERE tenant = ? AND name = ? ORDER BY version DESC",
                Store::adapter, tenant, name));
    }

    /** Events of a job after {@code afterSeq}, oldest first, at most {@code limit}. */
    public List<JobEvent> events(String jobId, long afterSeq, int limit) {
        return db.transaction(c -> all(c, "SELECT * FROM job_events WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT " + limit,
                Store::event, jobId, afterSeq));
    }

    private static JobEvent appendEvent(Connection c, String jobId, long createdAt, String level, String type, String message,
            String data) throws SQLException {
        long seq;
        try (PreparedStatement p = c.prepareStatement("SELECT COALESCE(MAX(seq), 0) + 1 FROM job_events WHERE job_id = ?")) {
            p.setString(1, jobId);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                seq = r.getLong(1);
            }
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO job_events (job_id, seq, created_at, level, type, message, data)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            p.setString(1, jobId);
            p.setLong(2, seq);
            p.setLong(3, createdAt);
            p.setString(4, level);
            p.setString(5, type);
            p.setString(6, message);
            p.setString(7, data);
            p.executeUpdate();
        }
        return new JobEvent(jobId, seq, createdAt, level, type, message, data);
    }

    // ---- mapping --------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Row<T> {
        T map(ResultSet r) throws SQLException;
    }

    private static <T> Optional<T> one(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
        List<T> rows = all(c, sql, row, args);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /** Runs one INSERT, UPDATE or DELETE with non-null arguments; returns the rows it changed. */
    private static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                p.setObject(i + 1, args[i]);
            }
            return p.executeUpdate();
        }
    }

    private static <T> List<T> all(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                p.setObject(i + 1, args[i]);
            }
            try (ResultSet r = p.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (r.next()) {
                    out.add(row.map(r));
                }
                return out;
            }
        }
    }

    private static void bindJob(PreparedStatement p, Job j) throws SQLException {
        p.setString(1, j.id());
        p.setString(2, j.tenant());
        p.setString(3, j.model());
        p.setString(4, j.status().wireName());
        p.setInt(5, j.priority());
        p.setString(6, j.trainingFile());
        p.setString(7, j.validationFile());
        p.setString(8, j.request());
        p.setString(9, j.fineTunedModel());
        p.setString(10, j.errorCode());
        p.setString(11, j.errorMessage());
        p.setString(12, j.errorParam());
        setLong(p, 13, j.trainedTokens());
        p.setInt(14, j.attempts());
        p.setString(15, j.idempotencyKey());
        p.setLong(16, j.createdAt());
        setLong(p, 17, j.finishedAt());
        setLong(p, 18, j.queuedAt());
        setLong(p, 19, j.notBefore());
        setDouble(p, 20, j.estimatedCostUsd());
    }

    private static void setDouble(PreparedStatement p, int index, Double value) throws SQLException {
        if (value == null) {
            p.setNull(index, Types.DOUBLE);
        } else {
            p.setDouble(index, value);
        }
    }

    private static Double getDouble(ResultSet r, String column) throws SQLException {
        double v = r.getDouble(column);
        return r.wasNull() ? null : v;
    }

    private static void setLong(PreparedStatement p, int index, Long value) throws SQLException {
        if (value == null) {
            p.setNull(index, Types.BIGINT);
        } else {
            p.setLong(index, value);
        }
    }

    private static Long getLong(ResultSet r, String column) throws SQLException {
        long v = r.getLong(column);
        return r.wasNull() ? null : v;
    }

    private static StoredFile file(ResultSet r) throws SQLException {
        return new StoredFile(r.getString("id"), r.getString("tenant"), r.getString("filename"), r.getString("purpose"),
                r.getLong("bytes"), r.getString("sha256"), r.getLong("created_at"));
    }

    private static Job job(ResultSet r) throws SQLException {
        return new Job(r.getString("id"), r.getString("tenant"), r.getString("model"), JobStatus.fromWire(r.getString("status")),
                r.getInt("priority"), r.getString("training_file"), r.getString("validation_file"), r.getString("request"),
                r.getString("fine_tuned_model"), r.getString("error_code"), r.getString("error_message"),
                r.getString("error_param"), getLong(r, "trained_tokens"), r.getInt("attempts"), r.getString("idempotency_key"),
                r.getLong("created_at"), getLong(r, "finished_at"), getLong(r, "queued_at"), getLong(r, "not_before"),
                getDouble(r, "estimated_cost_usd"), getDouble(r, "cost_usd"), getLong(r, "estimated_finish"));
    }

    private static AttemptRecord attempt(ResultSet r) throws SQLException {
        return new AttemptRecord(r.getString("job_id"), r.getInt("attempt"), r.getString("executor"), r.getString("accelerator"),
                r.getString("product"), r.getInt("devices"), r.getLong("started_at"), getLong(r, "ended_at"), r.getString("outcome"),
                getDouble(r, "device_seconds"), getDouble(r, "cost_usd"), getLong(r, "billed_until"), getDouble(r, "effective_usd"));
    }

    private static Adapter adapter(ResultSet r) throws SQLException {
        return new Adapter(r.getString("name"), r.getInt("version"), r.getString("tenant"), r.getString("base_model"),
                r.getString("job_id"), r.getString("path"), r.getString("sha256"), r.getLong("bytes"), r.getLong("created_at"));
    }

    private static JobEvent event(ResultSet r) throws SQLException {
        return new JobEvent(r.getString("job_id"), r.getLong("seq"), r.getLong("created_at"), r.getString("level"),
                r.getString("type"), r.getString("message"), r.getString("data"));
    }
}
