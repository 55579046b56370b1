package dev.loraplane.orchestrator.metrics;

/**
 * What a running job reports, one gauge each, labelled {@code job_id} and {@code tenant} while the
 * job runs and removed when its attempt ends.
 */
public enum JobFigure {

    /** {@code loraplane_job_loss}: the training loss of the latest step. */
    LOSS("loraplane.job.loss", "Training loss of the latest step of a running job"),
    /** {@code loraplane_job_eval_loss}: the latest validation loss. */
    EVAL_LOSS("loraplane.job.eval.loss", "Latest validation loss of a running job"),
    /** {@code loraplane_job_learning_rate}: the learning rate of the latest step. */
    LEARNING_RATE("loraplane.job.learning.rate", "Learning rate of the latest step of a running job"),
    /** {@code loraplane_job_tokens_per_second}: training throughput since the attempt started. */
    TOKENS_PER_SECOND("loraplane.job.tokens.per.second", "Tokens trained per second by a running job"),
    /** {@code loraplane_job_progress_ratio}: steps done over steps in all, 0 to 1. */
    PROGRESS("loraplane.job.progress.ratio", "Steps done over steps in all of a running job"),
    /** {@code loraplane_job_eta_seconds}: the time the remaining steps take at the rate so far. */
    ETA("loraplane.job.eta.seconds", "Seconds a running job needs to finish at its rate so far"),
    /** {@code loraplane_job_allocated_cost_usd}: device-seconds held by the running attempt × price. */
    ALLOCATED_COST("loraplane.job.allocated.cost.usd", "Cost of the device time a running attempt holds, in USD"),
    /** {@code loraplane_job_effective_cost_usd}: device-seconds × measured utilization × price. */
    EFFECTIVE_COST("loraplane.job.effective.cost.usd", "Cost of the device time a running attempt keeps busy, in USD"),
    /** {@code loraplane_job_wasted_cost_usd}: allocated less effective. */
    WASTED_COST("loraplane.job.wasted.cost.usd", "Cost of the device time a running attempt holds idle, in USD");

    private final String meterName;
    private final String description;

    JobFigure(String meterName, String description) {
        this.meterName = meterName;
        this.description = description;
    }

    String meterName() {
        return meterName;
    }

    String description() {
        return description;
    }
}
