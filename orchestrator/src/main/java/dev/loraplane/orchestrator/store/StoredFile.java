package dev.loraplane.orchestrator.store;

/**
 * An uploaded file's record; its bytes live in the artifact store under {@code sha256}.
 *
 * @param createdAt epoch seconds
 */
public record StoredFile(String id, String tenant, String filename, String purpose, long bytes, String sha256,
        long createdAt) {}
