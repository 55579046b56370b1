package dev.loraplane.engine.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.loraplane.datasets.pack.PackedSequence;
import dev.loraplane.datasets.prepare.Shuffle;
import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.model.AttentionMask;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.model.Scalar;
import dev.loraplane.engine.runtime.Torch;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Trains one LoRA adapter on packed rows: AdamW on the adapter only, warmup then cosine or linear
 * decay, gradient accumulation and clipping, periodic validation loss and checkpoints.
 *
 * <p>Everything random is a function of the seed and the step: the row order of epoch {@code e} is
 * a permutation seeded by {@code seed + e}, and libtorch's generator (dropout) is reseeded before
 * every step. A run resumed from a checkpoint therefore continues exactly as the uninterrupted run.
 */
public final class Trainer {

    private final Llama model;
    private final TrainableLora lora;
    private final TrainingConfig config;
    private final List<PackedSequence> train;
    private final List<PackedSequence> validation;
    private final Path checkpointDir;
    private final Consumer<TrainingEvent> listener;
    private final NDManager manager;
    private final AdamW optimizer;
    private volatile boolean stopRequested;
    private int step;
    private long trainedTokens;
    private double lastLoss = Double.NaN;
    private Double lastEvalLoss;

    /**
     * @param adapter the adapter to train, fresh from {@link LoraAdapter#initialize} or loaded from a
     *     checkpoint together with {@link #resume}
     * @param checkpointDir where checkpoints go ({@code checkpoint-<step>}), or null for none
     */
    public Trainer(Llama model, LoraAdapter adapter, TrainingConfig config, List<PackedSequence> train,
            List<PackedSequence> validation, Path checkpointDir, Consumer<TrainingEvent> listener) {
        if (train.isEmpty()) {
            throw new TrainingException("no_training_rows", "the training set has no rows to train on");
        }
        this.model = model;
        this.lora = new TrainableLora(adapter);
        this.config = config;
        this.train = List.copyOf(train);
        this.validation = List.copyOf(validation);
        this.checkpointDir = checkpointDir;
        this.listener = listener;
        this.manager = model.manager().newSubManager();
        this.optimizer = new AdamW(lora.parameters(), config.weightDecay(), manager);
    }

    /** Continues from a checkpoint this trainer's adapter was loaded from: optimizer state and step. */
    public Trainer resume(Path checkpoint) {
        TrainerCheckpoint.State state = TrainerCheckpoint.restore(checkpoint, optimizer);
        if (state.seed() != config.seed()) {
            throw new TrainingException("bad_checkpoint", checkpoint + " was trained with seed " + state.seed()
                    + ", not " + config.seed() + ": resuming would not continue the same run");
        }
        step = state.step();
        return this;
    }

    /** Asks the run to write a checkpoint and return after the current step (e.g. on SIGTERM). */
    public void requestStop() {
        stopRequested = true;
    }

    public int stepsPerEpoch() {
        int rowsPerStep = config.batchSize() * config.gradientAccumulation();
        return (train.size() + rowsPerStep - 1) / rowsPerStep;
    }

    public int totalSteps() {
        return config.maxSteps() > 0 ? config.maxSteps() : config.epochs() * stepsPerEpoch();
    }

    /** Runs to the last step, or to the first step after {@link #requestStop}; returns the steps done. */
    public int run() {
        Torch.forceOffline();
        Engine engine = Engine.getEngine(Torch.ENGINE);
        int total = totalSteps();
        long start = System.nanoTime();
        long tokens = 0;
        int startStep = step;
        while (step < total) {
            int epoch = step / stepsPerEpoch();
            int[] order = Shuffle.permutation(train.size(), config.seed() + epoch);
            engine.setRandomSeed((int) (config.seed() * 1_000_003L + step));
            lora.training(true);
            double stepLoss = 0;
            try (GradientCollector collector = engine.newGradientCollector()) {
                for (int micro = 0; micro < config.gradientAccumulation(); micro++) {
                    List<PackedSequence> rows = rows(order, step % stepsPerEpoch(), micro);
                    if (rows.isEmpty()) {
                        break;
                    }
                    try (NDScope scope = new NDScope()) {
                        scope.suppressNotUsedWarning();
                        NDArray microLoss = loss(rows);
                        collector.backward(microLoss.mul(Scalar.of(microLoss, 1.0 / config.gradientAccumulation())));
                        stepLoss += microLoss.getFloat() / config.gradientAccumulation();
                    }
                    long used = rows.stream().mapToLong(PackedSequence::used).sum();
                    tokens += used;
                    trainedTokens += used;
                }
            }
            if (!Double.isFinite(stepLoss)) {
                throw new TrainingException("loss_not_finite", "the training loss became " + stepLoss + " at step "
                        + (step + 1) + "; lower the learning rate (now " + config.learningRate() + ") or check the data");
            }
            double lr = config.learningRateAt(step, total);
            double gradNorm;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                gradNorm = optimizer.clipGradients(config.maxGradNorm());
                optimizer.step(lr);
            }
            step++;
            lastLoss = stepLoss;
            double elapsed = (System.nanoTime() - start) / 1e9;
            double perStep = elapsed / (step - startStep);
            listener.accept(new TrainingEvent.Progress(step, total, (double) step / stepsPerEpoch(), lastLoss, lr, gradNorm,
                    tokens, tokens / elapsed, elapsed, perStep * (total - step)));
            boolean last = step == total;
            if (!validation.isEmpty() && (last || (config.evalEvery() > 0 && step % config.evalEvery() == 0))) {
                lastEvalLoss = evaluate();
                listener.accept(new TrainingEvent.Eval(step, lastEvalLoss));
            }
            boolean stopping = stopRequested && !last;
            if (checkpointDir != null && (stopping || (config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0))) {
                Path written = TrainerCheckpoint.write(checkpointDir, step, config.seed(), lora.adapter(), optimizer);
                listener.accept(new TrainingEvent.Checkpoint(step, written));
            }
            if (stopping) {
                return step;
            }
        }
        listener.accept(new TrainingEvent.Completed(step, lastLoss, lastEvalLoss, trainedTokens, (System.nanoTime() - start) / 1e9));
        return step;
    }

    /** The mean loss over every target of the validation rows, without dropout or gradients. */
    public double evaluate() {
        lora.training(false);
        double sum = 0;
        long targets = 0;
        for (int from = 0; from < validation.size(); from += config.batchSize()) {
            List<PackedSequence> rows = validation.subList(from, Math.min(validation.size(), from + config.batchSize()));
            long count = rows.stream().mapToLong(PackedSequence::targetCount).sum();
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                sum += loss(rows).getFloat() * count;
            }
            targets += count;
        }
        lora.training(true);
        return sum / Math.max(1, targets);
    }

    private List<PackedSequence> rows(int[] order, int stepInEpoch, int micro) {
        int from = (stepInEpoch * config.gradientAccumulation() + micro) * config.batchSize();
        int to = Math.min(order.length, from + config.batchSize());
        if (from >= to) {
            return List.of();
        }
        PackedSequence[] rows = new PackedSequence[to - from];
        for (int i = from; i < to; i++) {
            rows[i - from] = train.get(order[i]);
        }
        return List.of(rows);
    }

    /** Mean negative log-likelihood of the rows' targets: a scalar that gradients flow from. */
    private NDArray loss(List<PackedSequence> rows) {
        int b = rows.size();
        int t = rows.get(0).length();
        long[] ids = new long[b * t];
        long[] positions = new long[b * t];
        long[] labels = new long[b * t];
        float[] weights = new float[b * t];
        int[][] segments = new int[b][];
        long targets = 0;
        for (int r = 0; r < b; r++) {
            PackedSequence row = rows.get(r);
            int[] rowLabels = row.labels();
            segments[r] = row.segments();
            for (int i = 0; i < t; i++) {
                ids[r * t + i] = row.tokens()[i];
                positions[r * t + i] = row.positions()[i];
                boolean target = rowLabels[i] != PackedSequence.IGNORE_INDEX;
                labels[r * t + i] = target ? rowLabels[i] : 0;
                weights[r * t + i] = target ? 1 : 0;
                targets += target ? 1 : 0;
            }
        }
        NDManager m = manager;
        NDArray logits = model.forward(m.create(ids, new Shape(b, t)), m.create(positions, new Shape(b, t)),
                AttentionMask.packed(m, segments), null, lora);
        NDArray picked = logits.logSoftmax(-1).gather(m.create(labels, new Shape(b, t, 1)), -1).reshape(b * (long) t);
        return picked.mul(m.create(weights)).sum().mul(Scalar.of(picked, -1.0 / Math.max(1, targets)));
    }

    /** The adapter being trained (its weights change in place as steps run). */
    public LoraAdapter adapter() {
        return lora.adapter();
    }

    public int step() {
        return step;
    }

    /** Non-padding tokens processed by the steps this trainer ran. */
    public long trainedTokens() {
        return trainedTokens;
    }

    public double lastLoss() {
        return lastLoss;
    }

    /** The latest validation loss, or null before any evaluation. */
    public Double lastEvalLoss() {
        return lastEvalLoss;
    }
}
