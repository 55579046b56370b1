package dev.loraplane.datasets.encode;

import dev.loraplane.datasets.ChatExample;
import dev.loraplane.datasets.DatasetException;
import dev.loraplane.datasets.Example;
import dev.loraplane.datasets.TextExample;
import java.util.Arrays;
import java.util.Objects;

/**
 * Turns examples into token ids with a loss mask for one base model.
 *
 * <p>An example becomes a {@link dev.loraplane.datasets.Conversation}. With a chat template,
 * chat, completion and Alpaca examples are rendered by it and the template's own markup frames
 * them; plain text, and every example when the model has no template, is the message contents
 * concatenated (Alpaca's standard prompt in front of the output), with BOS before and EOS after.
 *
 * <p>The loss mask trains on completions: assistant messages with weight 1 (the completion, the
 * Alpaca output, the whole of a plain text) including the text that ends the turn, and masks
 * everything else. With {@code trainOnInputs} every token is trained on except assistant messages
 * with weight 0. Assistant turns are found in the text by rendering prefixes of the conversation
 * (see {@link ChatRenderer}) and mapped to tokens by encoding prefixes of the text (see
 * {@code TokenBoundaries}), so the tokenizer needs no offset mapping.
 */
public final class ExampleEncoder {

    private final Tokenizer tokenizer;
    private final ChatRenderer renderer;
    private final int maxTokens;
    private final Overflow overflow;
    private final boolean trainOnInputs;

    private ExampleEncoder(Builder builder) {
        this.tokenizer = builder.tokenizer;
        this.renderer = builder.renderer;
        this.maxTokens = builder.maxTokens;
        this.overflow = builder.overflow;
        this.trainOnInputs = builder.trainOnInputs;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The maximum sequence length: the longest example kept, and the length of a packed sequence. */
    public int maxTokens() {
        return maxTokens;
    }

    /**
     * Encodes one example, truncating or dropping it (per {@link Overflow}) when it is longer than
     * {@link #maxTokens()}.
     *
     * @throws DatasetException for a chat example when the model has no chat template, or a
     *     template that is not prefix-stable
     */
    public EncodedExample encode(Example example) {
        RenderedText rendered = render(example);
        int[] tokens = tokens(rendered);
        int fullLength = tokens.length;
        if (fullLength > maxTokens && overflow == Overflow.DROP) {
            return new EncodedExample(new int[0], new boolean[0], fullLength, EncodedExample.Fit.TOO_LONG);
        }
        boolean[] mask = lossMask(rendered, tokens);
        EncodedExample.Fit fit = EncodedExample.Fit.WHOLE;
        if (fullLength > maxTokens) {
            tokens = Arrays.copyOf(tokens, maxTokens);
            mask = Arrays.copyOf(mask, maxTokens);
            fit = EncodedExample.Fit.TRUNCATED;
        }
        if (mask.length > 0) {
            mask[0] = false;
        }
        EncodedExample encoded = new EncodedExample(tokens, mask, fullLength, fit);
        return encoded.targetCount() == 0 ? new EncodedExample(tokens, mask, fullLength, EncodedExample.Fit.NO_TARGETS)
                : encoded;
    }

    /** Trains on the assistant turns with weight 1, or on everything but those with weight 0. */
    private boolean[] lossMask(RenderedText rendered, int[] tokens) {
        int before = rendered.templated() ? 0 : bosCount();
        int after = rendered.templated() ? 0 : 1;
        int[] textTokens = Arrays.copyOfRange(tokens, before, tokens.length - after);
        TokenBoundaries boundaries = new TokenBoundaries(tokenizer, rendered.text(), textTokens, before, tokens.length);
        boolean[] mask = new boolean[tokens.length];
        Arrays.fill(mask, trainOnInputs);
        for (RenderedText.Turn turn : rendered.assistantTurns()) {
            if (turn.train() != trainOnInputs) {
                Arrays.fill(mask, boundaries.at(turn.start()), boundaries.at(turn.end()), turn.train());
            }
        }
        return mask;
    }

    /** The number of tokens {@link #encode} makes of an example before truncation; a {@link dev.loraplane.datasets.TokenCounter}. */
    public int countTokens(Example example) {
        return tokens(render(example)).length;
    }

    private RenderedText render(Example example) {
        boolean templated = renderer != null && !(example instanceof TextExample);
        if (example instanceof ChatExample && !templated) {
            throw new DatasetException("chat examples need the base model's chat template, and it has none;"
                    + " use the prompt/completion or text format for this model");
        }
        return templated ? RenderedText.withTemplate(renderer, example.toConversation(true))
                : RenderedText.plain(example.toConversation(false));
    }

    /** The text's tokens, between BOS and EOS when no template framed it. */
    private int[] tokens(RenderedText rendered) {
        int[] text = tokenizer.encode(rendered.text());
        if (rendered.templated()) {
            return text;
        }
        int bos = bosCount();
        int[] tokens = new int[bos + text.length + 1];
        if (bos == 1) {
            tokens[0] = tokenizer.bosTokenId().getAsInt();
        }
        System.arraycopy(text, 0, tokens, bos, text.length);
        tokens[tokens.length - 1] = tokenizer.eosTokenId();
        return tokens;
    }

    private int bosCount() {
        return tokenizer.bosTokenId().isPresent() ? 1 : 0;
    }

    /** Builds an encoder: the tokenizer and the maximum length are required. */
    public static final class Builder {
        private Tokenizer tokenizer;
        private ChatRenderer renderer;
        private int maxTokens;
        private Overflow overflow = Overflow.TRUNCATE;
        private boolean trainOnInputs;

        private Builder() {}

        public Builder setTokenizer(Tokenizer tokenizer) {
            this.tokenizer = tokenizer;
            return this;
        }

        /** The maximum sequence length of training. */
        public Builder setMaxTokens(int maxTokens) {
            this.maxTokens = maxTokens;
            return this;
        }

        /** The base model's chat template; without one only completion, Alpaca and text examples encode. */
        public Builder optChatRenderer(ChatRenderer renderer) {
            this.renderer = renderer;
            return this;
        }

        /** {@link Overflow#TRUNCATE} by default. */
        public Builder optOverflow(Overflow overflow) {
            this.overflow = Objects.requireNonNull(overflow, "overflow");
            return this;
        }

        /** Train on prompts and template markup too, not only on completions; off by default. */
        public Builder optTrainOnInputs(boolean trainOnInputs) {
            this.trainOnInputs = trainOnInputs;
            return this;
        }

        public ExampleEncoder build() {
            Objects.requireNonNull(tokenizer, "setTokenizer is required");
            if (maxTokens < 2) {
                throw new IllegalArgumentException("maxTokens must be at least 2, got " + maxTokens);
            }
            return new ExampleEncoder(this);
        }
    }
}
