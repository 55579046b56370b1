package dev.loraplane.app.client;

import picocli.CommandLine.Option;

/** Where the control plane is and how to authenticate, shared by the client commands. */
public final class Connection {

    @Option(names = "--server", paramLabel = "URL", defaultValue = "${env:LORAPLANE_SERVER:-http://127.0.0.1:8080/v1}",
            description = "the control plane's API (default: $LORAPLANE_SERVER or ${DEFAULT-VALUE})")
    String server;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:LORAPLANE_API_KEY}",
            description = "bearer API key (default: $LORAPLANE_API_KEY; none for a local `loraplane up`)")
    String apiKey;

    public ApiClient client() {
        return new ApiClient(server, apiKey);
    }
}
