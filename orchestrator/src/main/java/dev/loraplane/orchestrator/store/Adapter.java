package dev.loraplane.orchestrator.store;

/**
 * A registered LoRA adapter version.
 *
 * @param name OpenAI's fine-tuned model name, {@code ft:<base>:<suffix>:<short job id>}
 * @param path the PEFT adapter directory
 * @param jobId the job that produced it, or null for an imported adapter
 */
public record Adapter(String name, int version, String tenant, String baseModel, String jobId, String path, String sha256,
        long bytes, long createdAt) {}
