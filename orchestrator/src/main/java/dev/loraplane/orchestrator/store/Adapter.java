package dev.loraplane.orchestrator.store;

/**
 * A registered LoRA adapter version.
 *
 * @param name the name requests pass as {@code model}: OpenAI's {@code ft:<base>:<suffix>:<short job id>}
 *     for a job's adapter, the importer's choice for an imported one
 * @param path the PEFT adapter directory
 * @param sha256 of its {@code adapter_model.safetensors}
 * @param jobId the job that produced it, or null for an imported adapter
 */
public record Adapter(String name, int version, String tenant, String baseModel, String jobId, String path, String sha256,
        long bytes, long createdAt) {}
