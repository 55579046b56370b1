package dev.loraplane.k8s;

import dev.loraplane.k8s.model.TrainingJobManifest;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ContainerResource;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.Consumer;

/** Pod logs from the API server ({@code GET …/pods/NAME/log?follow=true}), which streams them from the kubelet. */
public final class ApiServerPodLogs implements PodLogs {

    private final KubernetesClient client;

    public ApiServerPodLogs(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public void follow(String namespace, String pod, Instant since, Consumer<String> lines) throws IOException {
        ContainerResource container = client.pods().inNamespace(namespace).withName(pod).inContainer(TrainingJobManifest.CONTAINER);
        try (LogWatch watch = since == null ? container.watchLog() : container.sinceTime(since.toString()).watchLog();
                BufferedReader reader = new BufferedReader(new InputStreamReader(watch.getOutput(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.accept(line);
            }
        }
    }
}
