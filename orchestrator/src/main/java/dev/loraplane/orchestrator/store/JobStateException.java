package dev.loraplane.orchestrator.store;

import java.util.Collection;

/** A job was not in the state a transition expected: another writer moved it, or it is already final. */
public final class JobStateException extends StoreException {

    public JobStateException(String jobId, Collection<JobStatus> expected, JobStatus target) {
        super("job " + jobId + " cannot become " + target.wireName() + ": it is no longer "
                + String.join(" or ", expected.stream().map(JobStatus::wireName).toList()));
    }
}
