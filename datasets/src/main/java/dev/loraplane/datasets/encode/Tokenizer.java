package dev.loraplane.datasets.encode;

import java.util.OptionalInt;

/** The base model's tokenizer, as the encoder needs it; the engine implements it. */
public interface Tokenizer {

    /**
     * The token ids of {@code text}, adding no special tokens of its own (Hugging Face's {@code
     * add_special_tokens=False}); special-token text inside it, such as {@code <|im_start|>} written
     * by a chat template, becomes that special token's id.
     */
    int[] encode(String text);

    /** The end-of-sequence token, appended to examples that no chat template ends. */
    int eosTokenId();

    /** The beginning-of-sequence token, prepended to examples that no chat template starts; none by default. */
    default OptionalInt bosTokenId() {
        return OptionalInt.empty();
    }

    /** The token that fills packed sequences after their last example; the EOS token by default. */
    default int padTokenId() {
        return eosTokenId();
    }
}
