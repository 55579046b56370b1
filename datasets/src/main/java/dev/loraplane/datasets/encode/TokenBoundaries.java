package dev.loraplane.datasets.encode;

/**
 * Maps character positions of a text to token positions of its encoding, using nothing but
 * {@link Tokenizer#encode}: the token boundary at character {@code c} is the length of the longest
 * common prefix of {@code encode(text[0..c))} and {@code encode(text)}. Where a token straddles
 * {@code c} (a merge across the boundary) it therefore counts to the span that starts at {@code c}.
 * Encoding prefixes from the start of the text, never pieces in the middle, keeps tokenizers that
 * treat the start of a text specially (SentencePiece's dummy prefix space) consistent.
 */
final class TokenBoundaries {

    private final Tokenizer tokenizer;
    private final String text;
    private final int[] textTokens;
    private final int offset;
    private final int total;

    /**
     * @param textTokens {@code tokenizer.encode(text)}
     * @param offset tokens placed before the text's own (a BOS token)
     * @param total all tokens, those after the text's own (an EOS token) included
     */
    TokenBoundaries(Tokenizer tokenizer, String text, int[] textTokens, int offset, int total) {
        this.tokenizer = tokenizer;
        this.text = text;
        this.textTokens = textTokens;
        this.offset = offset;
        this.total = total;
    }

    /** The index of the first token at or after character {@code c}; the end of the text maps to {@code total}. */
    int at(int c) {
        if (c == 0) {
            return 0;
        }
        if (c == text.length()) {
            return total;
        }
        int[] prefix = tokenizer.encode(text.substring(0, c));
        int common = 0;
        int limit = Math.min(prefix.length, textTokens.length);
        while (common < limit && prefix[common] == textTokens[common]) {
            common++;
        }
        return offset + common;
    }
}
