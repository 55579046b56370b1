package dev.loraplane.engine.train;

import dev.loraplane.datasets.prepare.DatasetStats;
import java.nio.file.Path;

/** What a training run reports as it goes; the worker prints each as one JSON line. */
public sealed interface TrainingEvent {

    /** Before the first step: where the run starts and what data it trains on. */
    record Started(int step, int totalSteps, DatasetStats train, DatasetStats validation) implements TrainingEvent {}

    /**
     * After an optimizer step.
     *
     * @param tokensPerSecond tokens (padding excluded) processed per second since the start
     * @param etaSeconds the remaining steps at the rate so far
     */
    record Progress(int step, int totalSteps, double epoch, double loss, double learningRate, double gradNorm,
            long trainedTokens, double tokensPerSecond, double elapsedSeconds, double etaSeconds) implements TrainingEvent {}

    /** The mean loss over the validation rows' targets. */
    record Eval(int step, double evalLoss) implements TrainingEvent {}

    /** A checkpoint from which the run can resume exactly. */
    record Checkpoint(int step, Path path) implements TrainingEvent {}

    /** The run finished all its steps. */
    record Completed(int steps, double finalLoss, Double finalEvalLoss, long trainedTokens, double elapsedSeconds)
            implements TrainingEvent {}
}
