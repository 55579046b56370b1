package dev.loraplane.orchestrator.store;

/**
 * A fine-tuning job's row.
 *
 * @param request the create request as the API accepted it (JSON), with "auto" already resolved
 * @param errorCode set when {@code status} is failed
 * @param createdAt epoch seconds
 * @param finishedAt epoch seconds, or null while the job is not final
 * @param queuedAt when the job last entered the queue (epoch seconds), null before it first did
 * @param notBefore a queued job waiting out a retry backoff starts no earlier than this (epoch seconds)
 * @param estimatedCostUsd the cost estimated when its files were validated
 * @param costUsd what its finished attempts cost (device-seconds × price); written only as attempts end
 * @param estimatedFinish when a running job should finish (epoch seconds), from its worker's latest
 *     ETA; written only with progress events
 */
public record Job(String id, String tenant, String model, JobStatus status, int priority, String trainingFile,
        String validationFile, String request, String fineTunedModel, String errorCode, String errorMessage,
        String errorParam, Long trainedTokens, int attempts, String idempotencyKey, long createdAt, Long finishedAt,
        Long queuedAt, Long notBefore, Double estimatedCostUsd, Double costUsd, Long estimatedFinish) {

    /** A job just created: validating its files, nothing run or estimated yet. */
    public static Job created(String id, String tenant, String model, int priority, String trainingFile, String validationFile,
            String request, String idempotencyKey, long createdAt) {
        return new Job(id, tenant, model, JobStatus.VALIDATING_FILES, priority, trainingFile, validationFile, request, null, null,
                null, null, null, 0, idempotencyKey, createdAt, null, null, null, null, null, null);
    }

    /** This job in another status, with {@code attempts} and {@code finishedAt} as given and its results kept. */
    public Job moved(JobStatus to, int attemptsNow, Long finishedAtNow) {
        return new Job(id, tenant, model, to, priority, trainingFile, validationFile, request, fineTunedModel, errorCode,
                errorMessage, errorParam, trainedTokens, attemptsNow, idempotencyKey, createdAt, finishedAtNow, queuedAt, notBefore,
                estimatedCostUsd, costUsd, estimatedFinish);
    }

    /** This job back in the queue at {@code at}, to start no earlier than {@code startAfter} (null: at once). */
    public Job queued(long at, Long startAfter, Double estimate) {
        return new Job(id, tenant, model, JobStatus.QUEUED, priority, trainingFile, validationFile, request, fineTunedModel,
                errorCode, errorMessage, errorParam, trainedTokens, attempts, idempotencyKey, createdAt, null, at, startAfter,
                estimate, costUsd, null);
    }

    /** This job succeeded, producing {@code model}. */
    public Job succeeded(String model, Long tokens, long at) {
        return new Job(id, tenant, this.model, JobStatus.SUCCEEDED, priority, trainingFile, validationFile, request, model,
                null, null, null, tokens, attempts, idempotencyKey, createdAt, at, queuedAt, null, estimatedCostUsd, costUsd, null);
    }

    /** This job failed with OpenAI's error fields. */
    public Job failed(String code, String message, String param, long at) {
        return new Job(id, tenant, model, JobStatus.FAILED, priority, trainingFile, validationFile, request, null, code,
                message, param, trainedTokens, attempts, idempotencyKey, createdAt, at, queuedAt, null, estimatedCostUsd, costUsd,
                null);
    }
}
