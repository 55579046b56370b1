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
        String errorParam, Long trainedTokens, int attempts, String idempotencyKey, long createdAt, Long finishedAt) {}
