package dev.loraplane.orchestrator.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Brings a database to the current schema: the scripts listed in {@code migrations.txt}, each applied
 * once, in order, in its own transaction, and recorded in {@code schema_version}. On PostgreSQL an
 * advisory lock keeps two control planes starting at once from migrating together.
 */
public final class Migrations {

    private static final String DIR = "/dev/loraplane/orchestrator/store/";
    private static final long LOCK = 0x6c6f7261706c616eL;   // "loraplan"

    private Migrations() {}

    /** Applies what is missing; returns the versions applied now. */
    public static List<Integer> apply(Database db) {
        List<String> scripts = scripts();
        return db.transaction(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INT PRIMARY KEY, script VARCHAR(256) NOT NULL,"
                        + " applied_at BIGINT NOT NULL)");
                if (db.isPostgres()) {
                    s.execute("SELECT pg_advisory_xact_lock(" + LOCK + ")");
                }
            }
            int current = current(c);
            List<Integer> applied = new ArrayList<>();
            for (int i = current; i < scripts.size(); i++) {
                String script = scripts.get(i);
                for (String statement : statements(read(script))) {
                    try (Statement s = c.createStatement()) {
                        s.execute(statement);
                    }
                }
                try (PreparedStatement p = c.prepareStatement(
                        "INSERT INTO schema_version (version, script, applied_at) VALUES (?, ?, ?)")) {
                    p.setInt(1, i + 1);
                    p.setString(2, script);
                    p.setLong(3, System.currentTimeMillis() / 1000);
                    p.executeUpdate();
                }
                applied.add(i + 1);
            }
            return applied;
        });
    }

    /** The script's statements: comment lines dropped, split at semicolons (the scripts quote none). */
    static List<String> statements(String script) {
        String code = script.lines().filter(l -> !l.strip().startsWith("--")).reduce("", (a, b) -> a + b + "\n");
        return java.util.Arrays.stream(code.split(";")).map(String::strip).filter(st -> !st.isEmpty()).toList();
    }

    private static int current(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
            r.next();
            return r.getInt(1);
        }
    }

    private static List<String> scripts() {
        return read("migrations.txt").lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    private static String read(String name) {
        try (InputStream in = Migrations.class.getResourceAsStream(DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("migration resource " + DIR + name + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
