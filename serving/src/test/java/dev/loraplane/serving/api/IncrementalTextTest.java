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
}
