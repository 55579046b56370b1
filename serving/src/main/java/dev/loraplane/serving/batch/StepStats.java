package dev.loraplane.serving.batch;

/**
 * One decode step of a {@link BatchEngine}, for metrics and tests.
 *
 * @param step steps run so far, this one included
 * @param rows sequences decoded in this step
 * @param distinctAdapters distinct LoRA adapters among them (base-model rows count none)
 * @param waiting requests still waiting for a row
 * @param columns KV-cache columns filled after the step, of {@link BatchConfig#capacity()}
 */
public record StepStats(long step, int rows, int distinctAdapters, int waiting, int columns) {}
