package dev.loraplane.k8s;

import dev.loraplane.k8s.model.TrainingJobManifest;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.BytesLimitTerminateTimeTailPrettyLoggable;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pod logs from the API server ({@code GET …/pods/NAME/log?follow=true&timestamps=true}), which
 * streams them from the kubelet.
 *
 * <p>A stream can end while the worker still runs: the API server restarts, a proxy between drops an
 * idle connection. Until the container has ended, an ended stream is opened again from the time of
 * the last line it handed on ({@code sinceTime}), and the lines read again are skipped
 * ({@link LogCursor}), so the worker's lines are each handed on once. A line the stream was cut in
 * the middle of is read whole from the next one. Reading gives up when the pod is gone, or when the
 * API server has failed {@value #MAX_FAILURES} times in a row.
 */
public final class ApiServerPodLogs implements PodLogs {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServerPodLogs.class);
    static final int MAX_FAILURES = 20;
    private static final Duration FIRST_PAUSE = Duration.ofMillis(100);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(10);

    private final KubernetesClient client;

    public ApiServerPodLogs(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public void follow(String namespace, String pod, Instant since, Consumer<String> lines) throws IOException {
        LogCursor cursor = new LogCursor(since);
        int failures = 0;
        int idle = 0;
        while (true) {
            boolean handedOn;
            boolean over;
            try {
                Pod current = client.pods().inNamespace(namespace).withName(pod).get();
                if (current == null) {
                    return;   // deleted: its log is gone with it
                }
                over = ended(current);   // then this read goes to the log's end
                handedOn = read(namespace, pod, cursor, over, lines);
                failures = 0;
            } catch (IOException | KubernetesClientException e) {
                if (e instanceof InterruptedIOException || ++failures >= MAX_FAILURES) {
                    throw e instanceof IOException io ? io : new IOException("the log of pod " + pod + " cannot be read", e);
                }
                LOG.info("reading the log of pod {} failed ({} in a row); reading on from {}", pod, failures, cursor.since(), e);
                pause(failures);
                continue;
            }
            if (over) {
                return;
            }
            idle = handedOn ? 0 : idle + 1;
            if (idle > 0) {
                pause(idle);   // a stream that ends at once, again and again: no busy loop
            }
        }
    }

    /**
     * Reads one stream from the cursor on, handing on the lines not handed on before. A last line
     * without its newline is the stream's cut, read again from the next stream, unless the container
     * had ended before this read began. Whether it handed on any line.
     */
    private boolean read(String namespace, String pod, LogCursor cursor, boolean over, Consumer<String> lines)
            throws IOException {
        BytesLimitTerminateTimeTailPrettyLoggable log = client.pods().inNamespace(namespace).withName(pod)
                .inContainer(TrainingJobManifest.CONTAINER).usingTimestamps();
        cursor.reopened();
        boolean handedOn = false;
        try (LogWatch watch = cursor.since() == null ? log.watchLog() : log.sinceTime(cursor.since().toString()).watchLog();
                BufferedReader reader = new BufferedReader(new InputStreamReader(watch.getOutput(), StandardCharsets.UTF_8))) {
            StringBuilder line = new StringBuilder();
            for (int c = reader.read(); c >= 0; c = reader.read()) {
                if (c != '\n') {
                    line.append((char) c);
                    continue;
                }
                handedOn |= handOn(cursor, line.toString(), lines);
                line.setLength(0);
            }
            if (over && !line.isEmpty()) {
                handedOn |= handOn(cursor, line.toString(), lines);
            }
        }
        return handedOn;
    }

    private static boolean handOn(LogCursor cursor, String stamped, Consumer<String> lines) {
        String text = cursor.next(stamped);
        if (text == null) {
            return false;
        }
        lines.accept(text);
        return true;
    }

    /** Whether the worker's container has ended, or the pod with it: its log will grow no more. */
    private static boolean ended(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return true;
        }
        List<ContainerStatus> statuses = pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null ? List.of()
                : pod.getStatus().getContainerStatuses();
        return statuses.stream().anyMatch(s -> s.getName().equals(TrainingJobManifest.CONTAINER) && s.getState() != null
                && s.getState().getTerminated() != null);
    }

    private static void pause(int times) throws InterruptedIOException {
        long millis = Math.min(LONGEST_PAUSE.toMillis(), FIRST_PAUSE.toMillis() << Math.min(times - 1, 16));
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("stopped reading the log");
        }
    }
}
