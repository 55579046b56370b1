package dev.loraplane.datasets.prepare;

import dev.loraplane.datasets.encode.EncodedExample;
import dev.loraplane.datasets.pack.PackedSequence;
import java.util.List;

/**
 * Figures of one prepared part (training or validation) of a dataset: what the trainer reports
 * and what token, time and cost estimates start from.
 *
 * @param examples examples read
 * @param keptExamples examples trained on: whole or truncated
 * @param truncated examples cut to the maximum sequence length
 * @param droppedTooLong examples left out for being too long
 * @param droppedNoTargets examples left out for having no token to train on
 * @param tokens tokens of the kept examples, after truncation
 * @param trainedTokens tokens the loss is computed on
 * @param sequences rows after packing
 * @param paddingTokens pad tokens filling those rows
 * @param lengths example lengths before truncation
 */
public record DatasetStats(long examples, long keptExamples, long truncated, long droppedTooLong,
        long droppedNoTargets, long tokens, long trainedTokens, long sequences, long paddingTokens,
        LengthHistogram lengths) {

    /** Counts the encoded examples of one part and the rows they were packed into. */
    public static DatasetStats of(List<EncodedExample> examples, List<PackedSequence> sequences, int maxTokens) {
        long kept = 0;
        long truncated = 0;
        long tooLong = 0;
        long noTargets = 0;
        long tokens = 0;
        long trained = 0;
        int[] lengths = new int[examples.size()];
        for (int i = 0; i < lengths.length; i++) {
            EncodedExample example = examples.get(i);
            lengths[i] = example.fullLength();
            switch (example.fit()) {
                case TRUNCATED -> truncated++;
                case TOO_LONG -> tooLong++;
                case NO_TARGETS -> noTargets++;
                case WHOLE -> { }
            }
            if (example.kept()) {
                kept++;
                tokens += example.length();
                trained += example.targetCount();
            }
        }
        long padding = 0;
        for (PackedSequence sequence : sequences) {
            padding += sequence.length() - sequence.used();
        }
        return new DatasetStats(examples.size(), kept, truncated, tooLong, noTargets, tokens, trained, sequences.size(),
                padding, LengthHistogram.of(lengths, maxTokens));
    }
}
