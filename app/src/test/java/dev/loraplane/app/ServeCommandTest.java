package dev.loraplane.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loraplane serve} refusing what it cannot serve, before it listens. */
class ServeCommandTest {

    @TempDir
    Path dir;

    @Test
    void aPinnedAdapterThatDoesNotExistStopsServeNamingIt() throws Exception {
        Path model = dir.resolve("tiny");
        TinyModel.write(Preset.TINY, model, 0);
        Cli cli = new Cli();
        assertThat(cli.run("serve", "--model", model.toString(), "--port", "0", "--pin", "support-bot")).isEqualTo(2);
        assertThat(cli.err.toString()).contains("--pin support-bot:").contains("support-bot");
    }
}
