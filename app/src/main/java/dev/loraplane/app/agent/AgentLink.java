package dev.loraplane.app.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;

/** The agent's HTTP calls to the control plane's {@code /agent/v1} routes, with its token. */
final class AgentLink {

    static final ObjectMapper JSON = new ObjectMapper();

    /** The control plane answered with an error status. */
    static final class Refused extends RuntimeException {

        final int status;

        Refused(int status, String body) {
            super("the control plane answered " + status + ": " + body);
            this.status = status;
        }
    }

    private final String base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** @param server the control plane's URL, with or without {@code /v1} */
    AgentLink(String server, String token) {
        String s = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
        this.base = (s.endsWith("/v1") ? s.substring(0, s.length() - 3) : s) + "/agent/v1";
        this.token = token;
    }

    JsonNode post(String path, Object body) {
        return json(send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(write(body))), HttpResponse.BodyHandlers.ofString()).body());
    }

    /** Posts text lines as one body. */
    void postLines(String path, String lines) {
        send(request(path).header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(lines)),
                HttpResponse.BodyHandlers.discarding());
    }

    void put(String path, byte[] body) {
        send(request(path).header("Content-Type", "application/zip").PUT(HttpRequest.BodyPublishers.ofByteArray(body)),
                HttpResponse.BodyHandlers.discarding());
    }

    /** A long poll: the body, or empty when the server had nothing before {@code waitSeconds}. */
    Optional<JsonNode> poll(String path, long waitSeconds) {
        HttpResponse<String> response = send(request(path + "?wait=" + waitSeconds).timeout(Duration.ofSeconds(waitSeconds + 30)).GET(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 204 ? Optional.empty() : Optional.of(json(response.body()));
    }

    /** Downloads to {@code target}, replacing it whole. */
    void download(String path, Path target) {
        try {
            Files.createDirectories(target.getParent());
            Path part = target.resolveSibling(target.getFileName() + ".part");
            send(request(path).GET(), HttpResponse.BodyHandlers.ofFile(part));
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofMinutes(10));
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler) {
        HttpRequest built = request.build();
        try {
            HttpResponse<T> response = http.send(built, handler);
            if (response.statusCode() >= 400) {
                Object body = response.body();
                throw new Refused(response.statusCode(), body instanceof String s ? s
                        : body instanceof Path p && Files.exists(p) ? Files.readString(p) : "");
            }
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the control plane at " + built.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String write(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body == null || body.isEmpty() ? "{}" : body);
        } catch (IOException e) {
            throw new UncheckedIOException("the control plane sent JSON that does not parse: " + e.getMessage(), e);
        }
    }
}
