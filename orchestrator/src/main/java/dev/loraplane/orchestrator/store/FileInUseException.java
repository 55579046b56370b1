package dev.loraplane.orchestrator.store;

import java.util.List;

/** A file that jobs still refer to cannot be deleted. */
public final class FileInUseException extends StoreException {

    public FileInUseException(String fileId, List<String> jobs) {
        super("file " + fileId + " is used by job" + (jobs.size() == 1 ? " " : "s ") + String.join(", ", jobs)
                + "; delete or wait for " + (jobs.size() == 1 ? "it" : "them") + " first");
    }
}
