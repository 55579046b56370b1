package dev.loraplane.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shapes tokenizer_config.json takes in real checkpoints, and what a malformed one says. */
class TokenizerConfigTest {

    @TempDir
    Path dir;

    private TokenizerConfig read(String json) throws IOException {
        return TokenizerConfig.read(Files.writeString(dir.resolve(TokenizerConfig.FILE), json));
    }

    @Test
    void specialTokensAreStringsOrAddedTokenObjects() throws IOException {
        TokenizerConfig config = read("""
                {"bos_token": {"__type": "AddedToken", "content": "<s>", "lstrip": false, "normalized": true,
                               "rstrip": false, "single_word": false},
                 "eos_token": "</s>", "pad_token": null, "add_bos_token": true, "add_eos_token": false,
                 "clean_up_tokenization_spaces": true, "model_max_length": 2048, "legacy": false}
                """);
        assertThat(config.bosToken()).isEqualTo("<s>");
        assertThat(config.eosToken()).isEqualTo("</s>");
        assertThat(config.padToken()).isNull();
        assertThat(config.unkToken()).isNull();
        assertThat(config.addBosToken()).isTrue();
        assertThat(config.addEosToken()).isFalse();
        assertThat(config.cleanUpTokenizationSpaces()).isTrue();
        assertThat(config.modelMaxLength()).isEqualTo(2048);
        assertThat(config.chatTemplate()).isNull();
    }

    @Test
    void hfsUnboundedMaxLengthAndAnAbsentOneAreBothUnlimited() throws IOException {
        assertThat(read("{\"model_max_length\": 1000000000000000019884624838656}").modelMaxLength())
                .isEqualTo(Long.MAX_VALUE);
        assertThat(read("{}").modelMaxLength()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aPlainChatTemplateIsTheDefault() throws IOException {
        TokenizerConfig config = read("{\"chat_template\": \"{{ messages }}\"}");
        assertThat(config.chatTemplate()).isEqualTo("{{ messages }}");
        assertThat(config.namedChatTemplates()).isEmpty();
    }

    @Test
    void ofNamedChatTemplatesTheDefaultIsUsed() throws IOException {
        TokenizerConfig config = read("""
                {"chat_template": [{"name": "default", "template": "D"}, {"name": "tool_use", "template": "T"},
                                   {"name": "rag", "template": "R"}]}
                """);
        assertThat(config.chatTemplate()).isEqualTo("D");
        assertThat(config.namedChatTemplates()).containsOnlyKeys("default", "tool_use", "rag");
        assertThat(config.namedChatTemplates()).containsEntry("tool_use", "T");
    }

    @Test
    void withoutADefaultNamedTemplateThereIsNoDefault() throws IOException {
        TokenizerConfig config = read("{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"T\"}]}");
        assertThat(config.chatTemplate()).isNull();
        assertThat(config.namedChatTemplates()).containsOnlyKeys("tool_use");
    }

    @Test
    void chatTemplateJinjaBesideTheConfigIsTheDefault() throws IOException {
        Files.writeString(dir.resolve(TokenizerConfig.FILE), "{\"eos_token\": \"<|im_end|>\", \"chat_template\": \"old\"}");
        Files.writeString(dir.resolve(TokenizerConfig.CHAT_TEMPLATE_FILE), "new\n");
        TokenizerConfig config = TokenizerConfig.load(dir);
        assertThat(config.chatTemplate()).isEqualTo("new\n");
        assertThat(config.eosToken()).isEqualTo("<|im_end|>");
    }

    @Test
    void aDirectoryWithoutConfigHasNoSpecialTokens() {
        assertThat(TokenizerConfig.load(dir)).isEqualTo(TokenizerConfig.empty());
    }

    @Test
    void aMalformedFieldNamesTheFileAndTheField() {
        assertThatThrownBy(() -> read("{\"eos_token\": 2}"))
                .isInstanceOf(TokenizerException.class)
                .hasMessageContaining(TokenizerConfig.FILE).hasMessageContaining("field eos_token");
        assertThatThrownBy(() -> read("{\"add_bos_token\": \"yes\"}"))
                .hasMessageContaining("field add_bos_token must be true or false");
        assertThatThrownBy(() -> read("{\"chat_template\": {\"default\": \"x\"}}"))
                .hasMessageContaining("field chat_template must be a string or a list");
        assertThatThrownBy(() -> read("{\"chat_template\": [{\"name\": \"default\"}]}"))
                .hasMessageContaining("field chat_template[0]");
        assertThatThrownBy(() -> read("{\"model_max_length\": -1}"))
                .hasMessageContaining("field model_max_length must be a positive number");
    }

    @Test
    void brokenJsonNamesTheFile() {
        assertThatThrownBy(() -> read("{\"eos_token\": "))
                .isInstanceOf(TokenizerException.class)
                .hasMessageStartingWith(dir.resolve(TokenizerConfig.FILE) + ": not valid JSON");
    }
}
