package dev.loraplane.orchestrator.api;

import java.nio.file.Path;
import java.util.Map;

/**
 * How the control plane's API listens.
 *
 * @param host the address to bind; without API keys only a loopback address is allowed
 * @param port 0 for any free port
 * @param dataDir uploads in flight and the artifact store live below it
 * @param maxUploadBytes the largest request body accepted
 * @param apiKeys bearer key → tenant; empty for the single local tenant
 * @param baseModels the base models jobs may name, by name → model directory
 */
public record ApiConfig(String host, int port, Path dataDir, long maxUploadBytes, Map<String, String> apiKeys,
        Map<String, Path> baseModels) {

    public ApiConfig {
        apiKeys = Map.copyOf(apiKeys);
        baseModels = Map.copyOf(baseModels);
        if (apiKeys.isEmpty() && !(host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1"))) {
            throw new IllegalArgumentException("no API keys are configured, so the API may only listen on 127.0.0.1,"
                    + " not " + host + "; configure api_keys to listen elsewhere");
        }
        if (maxUploadBytes <= 0) {
            throw new IllegalArgumentException("max upload size must be positive, got " + maxUploadBytes);
        }
    }
}
