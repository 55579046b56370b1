package dev.loraplane.engine.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loraplane.engine.runtime.Torch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A Hugging Face tokenizer: {@code tokenizer.json} run by the Rust {@code tokenizers} library through
 * DJL, with the special tokens and chat template of {@code tokenizer_config.json}. The native library
 * ships in DJL's jar; on first use DJL extracts it to
 * {@code ~/.djl.ai/tokenizers/<version>-cpu-<platform>/} ({@code ENGINE_CACHE_DIR} or
 * {@code DJL_CACHE_DIR} move it). Offline mode is forced first, so nothing is downloaded.
 *
 * <p>Encoding applies tokenizer.json's normalizer, pre-tokenizer, model and, when asked for special
 * tokens, its post-processor, exactly as {@code tokenizer(text, add_special_tokens=...)} does in
 * transformers; nothing is truncated or padded.
 */
public final class Tokenizer implements AutoCloseable {

    public static final String FILE = "tokenizer.json";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> OPTIONS = Map.of("truncation", "false", "padding", "false");

    private final HuggingFaceTokenizer tokenizer;
    private final TokenizerConfig config;
    private final Map<String, Integer> ids;
    private final int vocabSize;
    private final int bosTokenId;
    private final int eosTokenId;
    private final int padTokenId;
    private final int unkTokenId;

    private Tokenizer(HuggingFaceTokenizer tokenizer, TokenizerConfig config, Map<String, Integer> ids, Path dir) {
        this.tokenizer = tokenizer;
        this.config = config;
        this.ids = ids;
        this.vocabSize = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        this.bosTokenId = specialId(config.bosToken(), "bos_token", dir);
        this.eosTokenId = specialId(config.eosToken(), "eos_token", dir);
        this.padTokenId = specialId(config.padToken(), "pad_token", dir);
        this.unkTokenId = specialId(config.unkToken(), "unk_token", dir);
    }

    /** Loads {@code tokenizer.json} and, when present, {@code tokenizer_config.json} from a model directory. */
    public static Tokenizer load(Path dir) {
        Torch.forceOffline();
        Path file = dir.resolve(FILE);
        TokenizerConfig config = TokenizerConfig.load(dir);
        Map<String, Integer> ids = vocabulary(file);
        HuggingFaceTokenizer tokenizer;
        try {
            tokenizer = HuggingFaceTokenizer.newInstance(file, OPTIONS);
        } catch (IOException | RuntimeException e) {
            throw new TokenizerException(file + ": cannot load: " + e.getMessage(), e);
        }
        try {
            return new Tokenizer(tokenizer, config, ids, dir);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /** Every token's id: the model's vocabulary and the added tokens of tokenizer.json. */
    private static Map<String, Integer> vocabulary(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new TokenizerException(file + ": cannot read: " + e.getMessage(), e);
        }
        JsonNode vocab = root.path("model").path("vocab");
        Map<String, Integer> ids = new HashMap<>();
        if (vocab.isObject()) {
            vocab.properties().forEach(e -> ids.put(e.getKey(), e.getValue().asInt()));
        } else if (vocab.isArray()) {
            // Unigram: a list of [piece, score], the id being the position.
            for (int i = 0; i < vocab.size(); i++) {
                ids.put(vocab.get(i).path(0).asText(), i);
            }
        } else {
            throw new TokenizerException(file + ": field model.vocab is missing; expected the vocabulary of a"
                    + " BPE, WordPiece, WordLevel or Unigram model");
        }
        for (JsonNode added : root.path("added_tokens")) {
            ids.put(added.path("content").asText(), added.path("id").asInt());
        }
        return ids;
    }

    private int specialId(String token, String field, Path dir) {
        if (token == null) {
            return -1;
        }
        Integer id = ids.get(token);
        if (id == null) {
            throw new TokenizerException(dir.resolve(TokenizerConfig.FILE) + ": field " + field + " is '" + token
                    + "', which is not a token of " + dir.resolve(FILE));
        }
        return id;
    }

    /**
     * Token ids of {@code text}; with {@code addSpecialTokens}, the post-processor's tokens too (the BOS
     * of Llama-style tokenizers). Special tokens written in the text ({@code <|im_end|>}) become their
     * ids, as in transformers.
     */
    public int[] encode(String text, boolean addSpecialTokens) {
        long[] encoded = tokenizer.encode(text, addSpecialTokens, false).getIds();
        int[] out = new int[encoded.length];
        for (int i = 0; i < encoded.length; i++) {
            out[i] = Math.toIntExact(encoded[i]);
        }
        return out;
    }

    /** The text of {@code ids}; ids outside the vocabulary decode to nothing. */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] wide = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            wide[i] = ids[i];
        }
        String text = tokenizer.decode(wide, skipSpecialTokens);
        return config.cleanUpTokenizationSpaces() ? cleanUpSpaces(text) : text;
    }

    /** transformers' {@code clean_up_tokenization}: drops the space English tokenizers put before punctuation. */
    private static String cleanUpSpaces(String text) {
        return text.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",")
                .replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m").replace(" 's", "'s")
                .replace(" 've", "'ve").replace(" 're", "'re");
    }

    /** The id of one token (a vocabulary entry or an added token), if the tokenizer has it. */
    public OptionalInt tokenId(String token) {
        Integer id = ids.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** One more than the largest token id: {@code len(tokenizer)} in transformers. */
    public int vocabSize() {
        return vocabSize;
    }

    /** The id of {@code bos_token}, or -1. */
    public int bosTokenId() {
        return bosTokenId;
    }

    /** The id of {@code eos_token}, or -1. */
    public int eosTokenId() {
        return eosTokenId;
    }

    /** The id of {@code pad_token}, or -1. */
    public int padTokenId() {
        return padTokenId;
    }

    /** The id of {@code unk_token}, or -1. */
    public int unkTokenId() {
        return unkTokenId;
    }

    public TokenizerConfig config() {
        return config;
    }

    /** The default chat template of tokenizer_config.json, with this tokenizer's special tokens. */
    public ChatTemplate chatTemplate() {
        return ChatTemplate.of(config);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
