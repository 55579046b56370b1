package dev.loraplane.serving.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Adapters registered by path, and sources asked in order. */
class LocalAdaptersTest {

    @TempDir
    Path tmp;

    @Test
    void registeringANameAgainIsANewVersionEvenAfterUnregistering() throws Exception {
        Path one = Files.createDirectories(tmp.resolve("one"));
        Path two = Files.createDirectories(tmp.resolve("two"));
        LocalAdapters local = new LocalAdapters();
        assertThat(local.resolve("sql")).isEmpty();

        AdapterVersion first = local.register("sql", one);
        assertThat(first.version()).isEqualTo(1);
        assertThat(first.baseModel()).isEmpty();
        assertThat(first.files().materialize()).isEqualTo(one.toAbsolutePath());
        assertThat(local.register("sql", two).version()).isEqualTo(2);
        assertThat(local.resolve("sql").orElseThrow().files().materialize()).isEqualTo(two.toAbsolutePath());

        assertThat(local.unregister("sql")).isTrue();
        assertThat(local.unregister("sql")).isFalse();
        assertThat(local.resolve("sql")).isEmpty();
        AdapterVersion again = local.register("sql", one);
        assertThat(again.version()).isEqualTo(3);
        assertThat(again.key()).isNotEqualTo(first.key());
    }

    @Test
    void aPathThatIsNotADirectoryOrABlankNameIsRefused() {
        LocalAdapters local = new LocalAdapters();
        assertThatThrownBy(() -> local.register("sql", tmp.resolve("missing")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing").hasMessageContaining("not a directory");
        assertThatThrownBy(() -> local.register(" ", tmp)).hasMessageContaining("lora_name is blank");
    }

    @Test
    void theFirstSourceThatKnowsANameAnswers() throws Exception {
        LocalAdapters byHand = new LocalAdapters();
        LocalAdapters registry = new LocalAdapters();
        byHand.register("shared", Files.createDirectories(tmp.resolve("by-hand")));
        registry.register("shared", Files.createDirectories(tmp.resolve("registry")));
        registry.register("only-registry", tmp.resolve("registry"));
        AdapterSource both = CompositeAdapterSource.of(byHand, registry);

        assertThat(both.resolve("shared").orElseThrow().identity()).endsWith("by-hand");
        assertThat(both.resolve("only-registry").orElseThrow().identity()).endsWith("registry");
        assertThat(both.resolve("nobody")).isEmpty();
    }
}
