package dev.loraplane.orchestrator.store;

/**
 * A fine-tuning job's row.
 *
 * @param request the create request as the API accepted it (JSON), with "auto" already resolved
 * @param errorCode set when {@code status} is failed
 * @param createdAt epoch seconds
 * @param finishedAt epoch seconds, or null while the job is not final
 */
public record Job(String id, String tenant, String model, JobStatus status, int priority, String trainingFile,
        String validationFile, String request, String fineTunedModel, String errorCode, String errorMessage,
        String errorParam, Long trainedTokens, int attempts, String idempotencyKey, long createdAt, Long finishedAt) {

    /** This job in another status, with {@code attempts} and {@code finishedAt} as given and its results kept. */
    public Job moved(JobStatus to, int attemptsNow, Long finishedAtNow) {
        return new Job(id, tenant, model, to, priority, trainingFile, validationFile, request, fineTunedModel, errorCode,
                errorMessage, errorParam, trainedTokens, attemptsNow, idempotencyKey, createdAt, finishedAtNow);
    }

    /** This job succeeded, producing {@code model}. */
    public Job succeeded(String model, Long tokens, long at) {
        return new Job(id, tenant, this.model, JobStatus.SUCCEEDED, priority, trainingFile, validationFile, request, model,
                null, null, null, tokens, attempts, idempotencyKey, createdAt, at);
    }

    /** This job failed with OpenAI's error fields. */
    public Job failed(String code, String message, String param, long at) {
        return new Job(id, tenant, model, JobStatus.FAILED, priority, trainingFile, validationFile, request, null, code,
                message, param, trainedTokens, attempts, idempotencyKey, createdAt, at);
    }
}
