package dev.loraplane.orchestrator.store;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The store on the embedded H2 file database, a new one for each test. */
class H2StoreTest extends StoreContract {

    @TempDir
    Path dir;

    private Database db;

    @BeforeEach
    void open() {
        db = TestDatabases.h2(dir);
    }

    @Override
    Database database() {
        return db;
    }
}
