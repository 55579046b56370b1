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
 * @param prefill its share of the forward pass that prefilled it: prompts admitted together share one
 *     pass, split by their prompt tokens; zero when it never got one
 */
public record Timings(Duration queue, Duration timeToFirstToken, Duration endToEnd, List<Duration> interToken,
        Duration prefill) {

    public Timings {
        interToken = List.copyOf(interToken);
    }
}
