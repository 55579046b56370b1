package dev.loraplane.app.bench;

import dev.loraplane.datasets.pack.PackedSequence;
import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.lora.LoraConfig;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.train.Trainer;
import dev.loraplane.engine.train.TrainingConfig;
import dev.loraplane.engine.train.TrainingEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Training throughput of one fresh LoRA adapter on one loaded base: {@code warmup + steps} optimizer
 * steps of {@code batch} rows each, through the {@link Trainer} a fine-tuning job uses; only the last
 * {@code steps} are timed, so libtorch's first-call costs and the JIT stay out of the figure.
 */
final class TrainBench {

    /**
     * @param tokensPerSecond trained tokens per second over the timed steps, optimizer included
     * @param secondsPerStep the mean time of a timed step
     * @param lastLoss the training loss of the last step
     */
    record Throughput(double tokensPerSecond, double secondsPerStep, double lastLoss) {}

    private TrainBench() {}

    /**
     * {@code count} full rows of {@code length} random token ids, one example each: positions 0..T-1,
     * segment 1 throughout, and every token a target but the first (which no example predicts).
     */
    static List<PackedSequence> rows(int count, int length, int vocab, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] positions = new int[length];
        Arrays.setAll(positions, i -> i);
        int[] segments = new int[length];
        Arrays.fill(segments, 1);
        boolean[] lossMask = new boolean[length];
        Arrays.fill(lossMask, true);
        lossMask[0] = false;
        List<PackedSequence> rows = new ArrayList<>(count);
        for (int r = 0; r < count; r++) {
            int[] tokens = random.ints(length, 3, vocab).toArray();
            rows.add(new PackedSequence(tokens, lossMask, positions, segments, 1, length));
        }
        return rows;
    }

    static Throughput run(Llama model, LoraConfig lora, List<PackedSequence> rows, int batch, int warmup, int steps,
            long seed) {
        TrainingConfig config = new TrainingConfig(1, warmup + steps, batch, 1, 1e-4, 0,
                TrainingConfig.Schedule.CONSTANT, 0, 1.0, 0, 0, seed);
        List<TrainingEvent.Progress> progress = new ArrayList<>();
        try (LoraAdapter adapter = LoraAdapter.initialize("bench", lora, model, seed)) {
            Trainer trainer = new Trainer(model, adapter, config, rows, List.of(), null, event -> {
                if (event instanceof TrainingEvent.Progress p) {
                    progress.add(p);
                }
            });
            trainer.run();
        }
        // Progress counts tokens and seconds from the start of the run: the timed steps are the
        // difference between the last step and the end of the warm-up.
        TrainingEvent.Progress last = progress.get(progress.size() - 1);
        long tokensBefore = warmup == 0 ? 0 : progress.get(warmup - 1).trainedTokens();
        double secondsBefore = warmup == 0 ? 0 : progress.get(warmup - 1).elapsedSeconds();
        double seconds = last.elapsedSeconds() - secondsBefore;
        return new Throughput((last.trainedTokens() - tokensBefore) / seconds, seconds / steps, last.loss());
    }
}
