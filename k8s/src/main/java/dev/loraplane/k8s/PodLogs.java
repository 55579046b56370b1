package dev.loraplane.k8s;

import java.io.IOException;
import java.time.Instant;
import java.util.function.Consumer;

/** Where a worker's output is read from: its container's log, followed until the container ends. */
public interface PodLogs {

    /**
     * Hands each line of the worker container's log to {@code lines} until the container has ended
     * and the log is read to its end. Blocking.
     *
     * @param since the first line to read is the first written at or after this; null for the whole log
     */
    void follow(String namespace, String pod, Instant since, Consumer<String> lines) throws IOException;
}
