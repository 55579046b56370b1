package dev.loraplane.orchestrator.store;

/**
 * An eval's row.
 *
 * @param jobId the fine-tuning job whose baseline and adapter it measures, or null for one made through
 *     {@code POST /v1/evals}
 * @param request the eval's definition as the API accepted it (JSON); an adapter variant of a job's eval
 *     names its model once the job has succeeded
 * @param report the report (JSON) once it succeeded, else null
 * @param errorCode set when {@code status} is failed
 * @param createdAt epoch seconds
 * @param finishedAt epoch seconds, or null while it is not final
 */
public record Eval(String id, String tenant, EvalStatus status, String jobId, String request, String report, String errorCode,
        String errorMessage, String errorParam, long createdAt, Long finishedAt) {

    /** An eval just created, waiting for a runner. */
    public static Eval created(String id, String tenant, String jobId, String request, long createdAt) {
        return new Eval(id, tenant, EvalStatus.QUEUED, jobId, request, null, null, null, null, createdAt, null);
    }
}
