package dev.loraplane.datasets.encode;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/**
 * One token per character (id {@code 100 + char}), with the special tokens {@code <|im_start|>}
 * = 1, {@code <|im_end|>} = 2, {@code <s>} = 3 and {@code </s>} = 4 recognized in the text, and
 * pad = 0. It can decode, so tests can read what a mask selects.
 */
public final class FakeTokenizer implements Tokenizer {

    static final List<String> SPECIALS = List.of("<|im_start|>", "<|im_end|>", "<s>", "</s>");
    public static final int IM_START = 1;
    public static final int IM_END = 2;
    public static final int BOS = 3;
    public static final int EOS = 4;
    public static final int PAD = 0;

    private final boolean bos;

    /** @param bos whether the tokenizer has a BOS token, as Llama's has and Qwen's has not */
    public FakeTokenizer(boolean bos) {
        this.bos = bos;
    }

    @Override
    public int[] encode(String text) {
        int[] tokens = new int[text.length()];
        int n = 0;
        int i = 0;
        outer:
        while (i < text.length()) {
            for (int s = 0; s < SPECIALS.size(); s++) {
                if (text.startsWith(SPECIALS.get(s), i)) {
                    tokens[n++] = s + 1;
                    i += SPECIALS.get(s).length();
                    continue outer;
                }
            }
            tokens[n++] = 100 + text.charAt(i++);
        }
        return Arrays.copyOf(tokens, n);
    }

    @Override
    public int eosTokenId() {
        return EOS;
    }

    @Override
    public OptionalInt bosTokenId() {
        return bos ? OptionalInt.of(BOS) : OptionalInt.empty();
    }

    @Override
    public int padTokenId() {
        return PAD;
    }

    /** The text of the tokens, {@code ·} for padding. */
    public static String decode(int[] tokens) {
        StringBuilder text = new StringBuilder();
        for (int token : tokens) {
            text.append(token == PAD ? "·" : token < 100 ? SPECIALS.get(token - 1) : String.valueOf((char) (token - 100)));
        }
        return text.toString();
    }

    /** The text of the tokens the mask selects, runs of selected tokens separated by {@code |}. */
    public static String decodeSelected(int[] tokens, boolean[] mask) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < tokens.length; i++) {
            if (mask[i]) {
                if (text.length() > 0 && !mask[i - 1]) {
                    text.append('|');
                }
                text.append(decode(new int[] {tokens[i]}));
            }
        }
        return text.toString();
    }
}
