package dev.loraplane.orchestrator.executor;

import dev.loraplane.engine.train.JobSpec;

/**
 * One try at running a job, as an executor gets it.
 *
 * @param number 1 for the first attempt
 * @param spec the worker's job spec, paths as the control plane sees them; a remote executor
 *     rewrites them for its machine
 */
public record Attempt(String jobId, String tenant, int number, AcceleratorRequest accelerator, JobSpec spec) {}
