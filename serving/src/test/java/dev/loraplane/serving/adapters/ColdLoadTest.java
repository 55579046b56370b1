package dev.loraplane.serving.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.engine.model.Llama;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cold-load measurement runs and orders its percentiles; its figures are the benchmark's business. */
class ColdLoadTest {

    @TempDir
    Path tmp;

    @Test
    void measuresEveryRunAndReportsOrderedPercentiles() {
        try (Llama model = TinyBase.load(tmp.resolve("tiny"))) {
            Path dir = TinyBase.adapter(model, tmp.resolve("a"), 16, 1);
            ColdLoad load = ColdLoad.measure(new AdapterLoader(TinyBase.NAME, model, 64),
                    new AdapterVersion("a", 1, TinyBase.NAME, dir.toString(), () -> dir), 5);
            assertThat(load.runs()).isEqualTo(5);
            assertThat(load.p50Ms()).isPositive().isLessThanOrEqualTo(load.p99Ms());
        }
    }
}
