package dev.loraplane.datasets.prepare;

import dev.loraplane.datasets.DatasetFormat;
import dev.loraplane.datasets.pack.PackedSequence;
import java.util.List;

/**
 * A dataset ready for training. Reshuffle the training rows each epoch with {@code
 * Shuffle.shuffled(train, seed + epoch)} if wanted; their order here is already seeded.
 *
 * @param format the training file's format
 * @param train the training rows
 * @param validation the validation rows, empty when there is no validation data
 * @param trainStats figures of the training part
 * @param validationStats figures of the validation part (all zero when there is none)
 */
public record PreparedDataset(DatasetFormat format, List<PackedSequence> train, List<PackedSequence> validation,
        DatasetStats trainStats, DatasetStats validationStats) {

    public PreparedDataset {
        train = List.copyOf(train);
        validation = List.copyOf(validation);
    }
}
