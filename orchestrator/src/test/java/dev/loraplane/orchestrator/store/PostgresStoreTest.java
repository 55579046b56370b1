package dev.loraplane.orchestrator.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

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
            TestDatabases.dropPostgres(schema);
        }
    }

    @Override
    Database database() {
        return db;
    }
}
