package dev.loraplane.engine.tiny;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loraplane.engine.tokenizer.Tokenizer;
import dev.loraplane.engine.tokenizer.TokenizerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The built-in models' tokenizer: one token per byte, so any UTF-8 text encodes and decodes exactly,
 * plus five special tokens. Token id {@code b} is byte {@code b} (0..255), then {@code <pad>},
 * {@code <s>}, {@code </s>}, {@code <|im_start|>}, {@code <|im_end|>}.
 *
 * <p>It is written in the formats transformers and DJL read: {@code tokenizer.json} holds GPT-2's
 * byte-level BPE (bytes shown as printable characters, no merges) with a post-processor that puts
 * {@code <s>} first; {@code tokenizer_config.json} holds the special tokens and a ChatML chat template.
 * A chat turn ends with {@code <|im_end|>}, which is therefore the {@code eos_token}; {@code </s>} ends a
 * plain document. config.json lists both as {@code eos_token_id}, so generation stops at either.
 */
public final class ByteLevelTokenizer {

    public static final int PAD = 256;
    public static final int BOS = 257;
    public static final int EOS = 258;
    public static final int IM_START = 259;
    public static final int IM_END = 260;
    public static final int VOCAB_SIZE = 261;

    private static final List<String> SPECIAL_TOKENS = List.of("<pad>", "<s>", "</s>", "<|im_start|>", "<|im_end|>");

    /** ChatML, as transformers documents it: no default system prompt, no BOS. */
    public static final String CHAT_TEMPLATE = "{% for message in messages %}"
            + "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
            + "{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ByteLevelTokenizer() {}

    /** Writes tokenizer.json and tokenizer_config.json into {@code dir}. */
    static void write(Path dir, Preset preset) {
        try {
            JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(Tokenizer.FILE).toFile(), tokenizerJson());
            JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(TokenizerConfig.FILE).toFile(),
                    tokenizerConfig(preset));
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot write the tokenizer: " + e.getMessage(), e);
        }
    }

    /**
     * GPT-2's {@code bytes_to_unicode}: printable bytes stand for themselves, the others for the
     * characters from U+0100 on, in byte order (so a space is {@code Ġ}, U+0120).
     */
    private static char[] byteCharacters() {
        char[] chars = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            chars[b] = printable ? (char) b : (char) next++;
        }
        return chars;
    }

    private static ObjectNode tokenizerJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < SPECIAL_TOKENS.size(); i++) {
            ObjectNode token = addedToken(SPECIAL_TOKENS.get(i));
            added.add(JSON.createObjectNode().put("id", PAD + i).setAll(token));
        }
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel(false));
        root.set("post_processor", bosFirst());
        root.set("decoder", byteLevel(true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        char[] chars = byteCharacters();
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(chars[b]), b);
        }
        model.putArray("merges");
        return root;
    }

    private static ObjectNode addedToken(String content) {
        return JSON.createObjectNode()
                .put("content", content)
                .put("single_word", false)
                .put("lstrip", false)
                .put("rstrip", false)
                .put("normalized", false)
                .put("special", true);
    }

    private static ObjectNode byteLevel(boolean addPrefixSpace) {
        return JSON.createObjectNode()
                .put("type", "ByteLevel")
                .put("add_prefix_space", addPrefixSpace)
                .put("trim_offsets", true)
                .put("use_regex", true);
    }

    /** {@code <s> $A} for one sequence, {@code <s> $A <s> $B} for a pair, as Llama's tokenizer does. */
    private static ObjectNode bosFirst() {
        ObjectNode processor = JSON.createObjectNode().put("type", "TemplateProcessing");
        ArrayNode single = processor.putArray("single");
        single.add(piece("SpecialToken", "<s>", 0)).add(piece("Sequence", "A", 0));
        ArrayNode pair = processor.putArray("pair");
        pair.add(piece("SpecialToken", "<s>", 0)).add(piece("Sequence", "A", 0))
                .add(piece("SpecialToken", "<s>", 1)).add(piece("Sequence", "B", 1));
        ObjectNode bos = processor.putObject("special_tokens").putObject("<s>");
        bos.put("id", "<s>");
        bos.putArray("ids").add(BOS);
        bos.putArray("tokens").add("<s>");
        return processor;
    }

    private static ObjectNode piece(String kind, String id, int typeId) {
        ObjectNode node = JSON.createObjectNode();
        node.putObject(kind).put("id", id).put("type_id", typeId);
        return node;
    }

    private static ObjectNode tokenizerConfig(Preset preset) {
        ObjectNode root = JSON.createObjectNode();
        root.put("add_bos_token", true);
        root.put("add_eos_token", false);
        ObjectNode decoder = root.putObject("added_tokens_decoder");
        for (int i = 0; i < SPECIAL_TOKENS.size(); i++) {
            decoder.set(String.valueOf(PAD + i), addedToken(SPECIAL_TOKENS.get(i)));
        }
        root.put("bos_token", "<s>");
        root.put("eos_token", "<|im_end|>");
        root.put("pad_token", "<pad>");
        root.putNull("unk_token");
        root.put("chat_template", CHAT_TEMPLATE);
        root.put("clean_up_tokenization_spaces", false);
        root.put("model_max_length", preset.maxPositions());
        root.put("tokenizer_class", "PreTrainedTokenizerFast");
        return root;
    }
}
