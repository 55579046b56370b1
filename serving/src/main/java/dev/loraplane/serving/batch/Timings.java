package dev.loraplane.serving.batch;

import java.time.Duration;
import java.util.List;

/**
 * Latencies of one sequence, measured from its submission.
 *
 * @param queue waiting for a row: submitted until its prefill began
 * @param timeToFirstToken submitted until the first token, or until the end when none came
 * @param endToEnd submitted until completed
 * @param interToken the gap before each token after the first
 */
public record Timings(Duration queue, Duration timeToFirstToken, Duration endToEnd, List<Duration> interToken) {

    public Timings {
        interToken = List.copyOf(interToken);
    }
}
