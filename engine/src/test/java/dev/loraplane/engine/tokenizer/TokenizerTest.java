package dev.loraplane.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loraplane.engine.tiny.ByteLevelTokenizer;
import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Rust tokenizer through DJL, on the built-in model's byte-level tokenizer. */
class TokenizerTest {

    @TempDir
    static Path dir;

    static Tokenizer tokenizer;

    @BeforeAll
    static void load() {
        TinyModel.write(Preset.TINY, dir, 1);
        tokenizer = Tokenizer.load(dir);
    }

    @AfterAll
    static void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
    }

    @Test
    void eachByteOfUtf8IsOneTokenWhoseIdIsTheByte() {
        String text = "héllo 👋\n";
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = tokenizer.encode(text, false);
        assertThat(ids).hasSize(utf8.length);
        for (int i = 0; i < utf8.length; i++) {
            assertThat(ids[i]).isEqualTo(utf8[i] & 0xff);
        }
    }

    @Test
    void anyTextRoundTrips() {
        List<String> texts = List.of("", " ", "  leading and trailing  ", "line one\nline two\r\n\ttabbed\n\n",
                "emoji 👋🏽 family 👨‍👩‍👧 flag 🇳🇿", "日本語のテキスト", "Ünïcödé ç ß ø", "e\u0301 combining",
                "nul \u0000 and bell \u0007 and del \u007f", "\uFEFF byte order mark", "x".repeat(5000));
        for (String text : texts) {
            assertThat(tokenizer.decode(tokenizer.encode(text, false), false)).as("round trip of %s", text)
                    .isEqualTo(text);
        }
    }

    @Test
    void randomCodePointsRoundTrip() {
        SplittableRandom random = new SplittableRandom(7);
        for (int n = 0; n < 200; n++) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 40; i++) {
                int codePoint = random.nextInt(0x110000);
                if (Character.isDefined(codePoint) && Character.getType(codePoint) != Character.SURROGATE) {
                    text.appendCodePoint(codePoint);
                }
            }
            String s = text.toString();
            assertThat(tokenizer.decode(tokenizer.encode(s, false), false)).isEqualTo(s);
        }
    }

    @Test
    void specialTokensAddBosAndEncodeAsOneToken() {
        assertThat(tokenizer.encode("hi", true)).containsExactly(ByteLevelTokenizer.BOS, 'h', 'i');
        assertThat(tokenizer.encode("<|im_start|>user\nhi<|im_end|>\n", false))
                .containsExactly(ByteLevelTokenizer.IM_START, 'u', 's', 'e', 'r', '\n', 'h', 'i',
                        ByteLevelTokenizer.IM_END, '\n');
        assertThat(tokenizer.encode("<s></s><pad>", false))
                .containsExactly(ByteLevelTokenizer.BOS, ByteLevelTokenizer.EOS, ByteLevelTokenizer.PAD);
    }

    @Test
    void decodingKeepsOrSkipsSpecialTokens() {
        int[] ids = tokenizer.encode("<|im_start|>assistant\nok<|im_end|>", true);
        assertThat(tokenizer.decode(ids, false)).isEqualTo("<s><|im_start|>assistant\nok<|im_end|>");
        assertThat(tokenizer.decode(ids, true)).isEqualTo("assistant\nok");
    }

    @Test
    void idsPastTheVocabularyDecodeToNothing() {
        assertThat(tokenizer.decode(new int[] {'h', 300, 4095, 'i'}, false)).isEqualTo("hi");
    }

    @Test
    void vocabularyAndSpecialTokenIds() {
        assertThat(tokenizer.vocabSize()).isEqualTo(ByteLevelTokenizer.VOCAB_SIZE);
        assertThat(tokenizer.bosTokenId()).isEqualTo(ByteLevelTokenizer.BOS);
        assertThat(tokenizer.eosTokenId()).isEqualTo(ByteLevelTokenizer.IM_END);
        assertThat(tokenizer.padTokenId()).isEqualTo(ByteLevelTokenizer.PAD);
        assertThat(tokenizer.unkTokenId()).isEqualTo(-1);
        assertThat(tokenizer.tokenId("</s>")).hasValue(ByteLevelTokenizer.EOS);
        assertThat(tokenizer.tokenId("Ġ")).hasValue(' ');
        assertThat(tokenizer.tokenId("<|endoftext|>")).isEmpty();
        assertThat(tokenizer.config().modelMaxLength()).isEqualTo(Preset.TINY.maxPositions());
    }

    @Test
    void aRenderedConversationTokenizesWithTheChatMarkers() {
        String prompt = tokenizer.chatTemplate().render(List.of(ChatMessage.user("hi")), true);
        assertThat(tokenizer.encode(prompt, false)).containsExactly(
                ByteLevelTokenizer.IM_START, 'u', 's', 'e', 'r', '\n', 'h', 'i', ByteLevelTokenizer.IM_END, '\n',
                ByteLevelTokenizer.IM_START, 'a', 's', 's', 'i', 's', 't', 'a', 'n', 't', '\n');
    }

    @Test
    void aSpecialTokenMissingFromTheVocabularyNamesFileAndField(@TempDir Path other) throws IOException {
        Files.copy(dir.resolve(Tokenizer.FILE), other.resolve(Tokenizer.FILE));
        Files.writeString(other.resolve(TokenizerConfig.FILE), "{\"eos_token\": \"<|eot_id|>\"}");
        assertThatThrownBy(() -> Tokenizer.load(other))
                .isInstanceOf(TokenizerException.class)
                .hasMessageContaining(other.resolve(TokenizerConfig.FILE) + ": field eos_token is '<|eot_id|>'");
    }

    @Test
    void aMissingTokenizerJsonNamesTheFile(@TempDir Path empty) {
        assertThatThrownBy(() -> Tokenizer.load(empty))
                .isInstanceOf(TokenizerException.class)
                .hasMessageContaining(empty.resolve(Tokenizer.FILE).toString());
    }
}
