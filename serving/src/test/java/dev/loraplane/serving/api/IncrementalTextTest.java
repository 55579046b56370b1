package dev.loraplane.serving.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import dev.loraplane.engine.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pieces sent one token at a time add up to what decoding the whole reply gives, characters never split. */
class IncrementalTextTest {

    @TempDir
    Path dir;

    @Test
    void piecesAddUpToTheWholeDecodeAndNeverSplitACharacter() {
        TinyModel.write(Preset.TINY, dir, 0);
        try (Tokenizer tokenizer = Tokenizer.load(dir)) {
            for (String reply : List.of("Paris is nice. The end.", "naïve café — 日本語 ✓ 🙂 done", "  leading spaces\nand lines\t!",
                    "x".repeat(300))) {
                int[] ids = tokenizer.encode(reply, false);
                IncrementalText text = new IncrementalText(tokenizer, List.of());
                StringBuilder sent = new StringBuilder();
                for (int id : ids) {
                    text.add(id);
                    String piece = text.piece();
                    assertThat(piece).as(reply).doesNotContain("\uFFFD");
                    sent.append(piece);
                }
                sent.append(text.finish(null));
                assertThat(sent.toString()).as(reply).isEqualTo(tokenizer.decode(ids, true));
                assertThat(text.whole(null)).isEqualTo(tokenizer.decode(ids, true));
            }
        }
    }

    @Test
    void aPossibleStopStringIsHeldBackAndTheTextEndsBeforeIt() {
        TinyModel.write(Preset.TINY, dir, 0);
        try (Tokenizer tokenizer = Tokenizer.load(dir)) {
            IncrementalText text = new IncrementalText(tokenizer, List.of("END"));
            StringBuilder sent = new StringBuilder();
            int[] ids = tokenizer.encode("one two END three", false);
            for (int i = 0; i < ids.length; i++) {   // as the engine does: it stops at the token that completes "END"
                text.add(ids[i]);
                sent.append(text.piece());
                if (tokenizer.decode(java.util.Arrays.copyOf(ids, i + 1), true).contains("END")) {
                    break;
                }
            }
            assertThat(sent.toString()).as("nothing that could begin the stop string went out").doesNotContain("E");
            sent.append(text.finish("END"));
            assertThat(sent.toString()).isEqualTo("one two ");
            assertThat(text.whole("END")).isEqualTo("one two ");
        }
    }
}
