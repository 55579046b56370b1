package dev.loraplane.orchestrator.jobs;

/**
 * How a job whose attempt failed for reasons outside it (a crashed worker, a lost agent, running out
 * of memory) is tried again: up to {@code maxAttempts} attempts in all, waiting {@code backoffSeconds}
 * × {@code multiplier}^(n-1) before attempt n+1, at most {@code maxBackoffSeconds}.
 */
public record RetryPolicy(int maxAttempts, long backoffSeconds, double multiplier, long maxBackoffSeconds) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(3, 30, 2.0, 600);

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("retries.max_attempts is " + maxAttempts + "; expected 1 or more");
        }
        if (backoffSeconds < 0 || multiplier < 1 || maxBackoffSeconds < backoffSeconds) {
            throw new IllegalArgumentException("retry backoff " + backoffSeconds + " s × " + multiplier + " up to "
                    + maxBackoffSeconds + " s is not a backoff; expected seconds ≥ 0, multiplier ≥ 1, max ≥ seconds");
        }
    }

    /** When attempt {@code attemptsSoFar + 1} may start, or null when no attempt is left. */
    public Long retryAt(int attemptsSoFar, long now) {
        if (attemptsSoFar >= maxAttempts) {
            return null;
        }
        double wait = backoffSeconds * Math.pow(multiplier, Math.max(0, attemptsSoFar - 1));
        return now + (long) Math.min(wait, maxBackoffSeconds);
    }
}
