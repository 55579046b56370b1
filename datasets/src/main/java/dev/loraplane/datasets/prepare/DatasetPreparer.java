package dev.loraplane.datasets.prepare;

import dev.loraplane.datasets.DatasetException;
import dev.loraplane.datasets.DatasetFormat;
import dev.loraplane.datasets.DatasetReader;
import dev.loraplane.datasets.NumberedExample;
import dev.loraplane.datasets.Problem;
import dev.loraplane.datasets.ProblemCode;
import dev.loraplane.datasets.encode.EncodedExample;
import dev.loraplane.datasets.encode.ExampleEncoder;
import dev.loraplane.datasets.pack.PackedSequence;
import dev.loraplane.datasets.pack.Packer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The whole path from training files to packed rows: read each file as it streams by, encode
 * every example, split off validation examples when no validation file is given, shuffle the
 * training examples, pack both parts, and count.
 *
 * <p>Files are streamed, never loaded whole; the encoded examples are held in memory (about five
 * bytes per token), less the tokens of dropped examples.
 *
 * <pre>{@code
 * PreparedDataset data = DatasetPreparer.builder()
 *         .setEncoder(encoder)
 *         .optValidationFraction(0.1)
 *         .optSeed(7)
 *         .build()
 *         .prepare(Path.of("train.jsonl"), null);
 * }</pre>
 */
public final class DatasetPreparer {

    private final ExampleEncoder encoder;
    private final DatasetFormat format;
    private final long seed;
    private final double validationFraction;
    private final boolean packing;

    private DatasetPreparer(Builder builder) {
        this.encoder = builder.encoder;
        this.format = builder.format;
        this.seed = builder.seed;
        this.validationFraction = builder.validationFraction;
        this.packing = builder.packing;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param trainFile the training file
     * @param validationFile a validation file in the same format, or null to split validation
     *     examples off the training file by the validation fraction
     * @throws DatasetException at the first line that cannot be read or encoded
     */
    public PreparedDataset prepare(Path trainFile, Path validationFile) {
        EncodedFile trainData = encodeFile(trainFile, format);
        List<EncodedExample> train;
        List<EncodedExample> validation;
        if (validationFile == null) {
            ValidationSplit split = ValidationSplit.of(trainData.examples().size(), validationFraction, seed);
            train = select(trainData.examples(), split.train());
            validation = select(trainData.examples(), split.validation());
        } else {
            train = Shuffle.shuffled(trainData.examples(), seed);
            validation = encodeFile(validationFile, trainData.format()).examples();
        }
        Packer packer = new Packer(encoder.maxTokens(), encoder.tokenizer().padTokenId(), packing);
        List<PackedSequence> trainRows = packer.pack(train);
        List<PackedSequence> validationRows = packer.pack(validation);
        return new PreparedDataset(trainData.format(), trainRows, validationRows,
                DatasetStats.of(train, trainRows, encoder.maxTokens()),
                DatasetStats.of(validation, validationRows, encoder.maxTokens()));
    }

    private record EncodedFile(DatasetFormat format, List<EncodedExample> examples) {}

    private EncodedFile encodeFile(Path file, DatasetFormat expected) {
        List<EncodedExample> examples = new ArrayList<>();
        DatasetFormat found = DatasetReader.read(file, expected, example -> examples.add(encode(example)));
        return new EncodedFile(found, examples);
    }

    /** Encodes one example; a dropped one keeps only its length and the reason, not its tokens. */
    private EncodedExample encode(NumberedExample numbered) {
        EncodedExample example;
        try {
            example = encoder.encode(numbered.example());
        } catch (DatasetException e) {
            throw new DatasetException(Problem.at(numbered.line(), null, ProblemCode.ENCODING_FAILED, e.getMessage()));
        }
        return example.kept() ? example : new EncodedExample(new int[0], new boolean[0], example.fullLength(), example.fit());
    }

    private static List<EncodedExample> select(List<EncodedExample> examples, int[] indices) {
        List<EncodedExample> selected = new ArrayList<>(indices.length);
        for (int index : indices) {
            selected.add(examples.get(index));
        }
        return selected;
    }

    /** Builds a preparer: the encoder is required. */
    public static final class Builder {
        private ExampleEncoder encoder;
        private DatasetFormat format;
        private long seed = 42;
        private double validationFraction;
        private boolean packing = true;

        private Builder() {}

        /** Tokenizer, chat template, maximum length (the row length too), overflow and masking. */
        public Builder setEncoder(ExampleEncoder encoder) {
            this.encoder = encoder;
            return this;
        }

        /** The files' format; detected from the training file by default. */
        public Builder optFormat(DatasetFormat format) {
            this.format = format;
            return this;
        }

        /** Seeds the split and the shuffle; 42 by default. */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * The share of the training file held out for validation when no validation file is given,
         * in [0, 1); 0 (no validation) by default. See {@link ValidationSplit#validationSize}.
         */
        public Builder optValidationFraction(double validationFraction) {
            this.validationFraction = validationFraction;
            return this;
        }

        /** Whether a row holds several examples; on by default. */
        public Builder optPacking(boolean packing) {
            this.packing = packing;
            return this;
        }

        public DatasetPreparer build() {
            Objects.requireNonNull(encoder, "setEncoder is required");
            ValidationSplit.validationSize(0, validationFraction);
            return new DatasetPreparer(this);
        }
    }
}
