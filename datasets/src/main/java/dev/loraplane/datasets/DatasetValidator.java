package dev.loraplane.datasets;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a JSONL training file line by line, streaming: each line is read as bytes, decoded as
 * strict UTF-8 and parsed with Jackson, and only the problems are kept. It never stops at the first
 * problem; it keeps the first {@code maxProblems} and counts the rest exactly.
 *
 * <pre>{@code
 * ValidationReport report = DatasetValidator.builder()
 *         .optTokenLimit(encoder::countTokens, 4096)
 *         .build()
 *         .validate(Path.of("train.jsonl"));
 * }</pre>
 */
public final class DatasetValidator {

    /** OpenAI's minimum number of examples for a fine-tuning file. */
    public static final int DEFAULT_MIN_EXAMPLES = 10;
    public static final int DEFAULT_MAX_PROBLEMS = 100;

    private final DatasetFormat format;
    private final int minExamples;
    private final int maxProblems;
    private final TokenCounter tokenCounter;
    private final int maxTokens;

    private DatasetValidator(Builder builder) {
        this.format = builder.format;
        this.minExamples = builder.minExamples;
        this.maxProblems = builder.maxProblems;
        this.tokenCounter = builder.tokenCounter;
        this.maxTokens = builder.maxTokens;
    }

    public static Builder builder() {
        return new Builder();
    }

    public ValidationReport validate(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return validate(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Validates the stream to its end; the caller closes it. */
    public ValidationReport validate(InputStream in) {
        RecordParser parser = new RecordParser(format);
        Tally tally = new Tally();
        JsonlLines.Totals totals;
        try {
            totals = JsonlLines.forEach(in, line -> {
                tally.examples++;
                long before = tally.problemCount;
                if (line.problem() != null) {
                    tally.add(line.problem());
                    return;
                }
                RecordParser.Result result = parser.parse(line.number(), line.text());
                result.problems().forEach(tally::add);
                if (result.example() != null && tokenCounter != null) {
                    checkLength(line.number(), result.example(), tally);
                }
                if (tally.problemCount == before) {
                    tally.valid++;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the training file: " + e.getMessage(), e);
        }
        List<Problem> problems = new ArrayList<>();
        if (tally.examples == 0) {
            problems.add(Problem.ofFile(ProblemCode.EMPTY_FILE, "the file has no examples"
                    + (totals.lines() == 0 ? "; it is empty" : "; its " + totals.lines() + " lines are blank")));
        } else if (tally.examples < minExamples) {
            problems.add(Problem.ofFile(ProblemCode.TOO_FEW_EXAMPLES, "the file has " + tally.examples
                    + (tally.examples == 1 ? " example" : " examples") + "; at least " + minExamples + " are needed"));
        }
        long problemCount = problems.size() + tally.problemCount;
        problems.addAll(tally.kept);
        List<String> notes = tokenCounter != null ? List.of() : List.of("example lengths were not checked against the"
                + " model's maximum sequence length (example_too_long): no tokenizer was given");
        return new ValidationReport(parser.format(), totals.lines(), totals.blankLines(), tally.examples, tally.valid,
                problemCount, problems, notes);
    }

    private void checkLength(long line, Example example, Tally tally) {
        int tokens;
        try {
            tokens = tokenCounter.countTokens(example);
        } catch (DatasetException e) {
            tally.add(Problem.at(line, null, ProblemCode.ENCODING_FAILED, e.getMessage()));
            return;
        }
        if (tokens > maxTokens) {
            tally.add(Problem.at(line, null, ProblemCode.EXAMPLE_TOO_LONG,
                    "the example is " + tokens + " tokens; the model takes at most " + maxTokens));
        }
    }

    /** Counts while the file streams by, keeping only the first problems. */
    private final class Tally {
        final List<Problem> kept = new ArrayList<>();
        long problemCount;
        long examples;
        long valid;

        void add(Problem problem) {
            problemCount++;
            if (kept.size() < maxProblems) {
                kept.add(problem);
            }
        }
    }

    /** Options of a validator; all are optional. */
    public static final class Builder {
        private DatasetFormat format;
        private int minExamples = DEFAULT_MIN_EXAMPLES;
        private int maxProblems = DEFAULT_MAX_PROBLEMS;
        private TokenCounter tokenCounter;
        private int maxTokens;

        private Builder() {}

        /** The file's format; without one it is detected from the first record that shows one. */
        public Builder optFormat(DatasetFormat format) {
            this.format = format;
            return this;
        }

        /** Fewer examples than this is a {@code too_few_examples} problem; 10 by default, as OpenAI. */
        public Builder optMinExamples(int minExamples) {
            this.minExamples = minExamples;
            return this;
        }

        /** How many problems the report keeps; the rest are only counted. 100 by default. */
        public Builder optMaxProblems(int maxProblems) {
            this.maxProblems = maxProblems;
            return this;
        }

        /**
         * Checks every sound example's token count against the model's maximum sequence length
         * ({@code example_too_long}). Without this the check is skipped and the report says so.
         */
        public Builder optTokenLimit(TokenCounter counter, int maxTokens) {
            this.tokenCounter = counter;
            this.maxTokens = maxTokens;
            return this;
        }

        public DatasetValidator build() {
            if (minExamples < 0) {
                throw new IllegalArgumentException("minExamples must be 0 or more, got " + minExamples);
            }
            if (maxProblems < 0) {
                throw new IllegalArgumentException("maxProblems must be 0 or more, got " + maxProblems);
            }
            if (tokenCounter != null && maxTokens <= 0) {
                throw new IllegalArgumentException("maxTokens must be positive, got " + maxTokens);
            }
            return new DatasetValidator(this);
        }
    }
}
