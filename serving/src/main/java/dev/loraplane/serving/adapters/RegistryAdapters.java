package dev.loraplane.serving.adapters;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loraplane.engine.Zips;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The control plane's adapter registry over HTTP, for {@code loraplane serve --registry URL}: a name
 * resolves through {@code GET /v1/adapters/{name}} (newest version, base model, sha256) with the
 * control plane's API key, and a version's files are downloaded once from {@code
 * /v1/adapters/{name}/content} into a local directory named by that sha256.
 */
public final class RegistryAdapters implements AdapterSource {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_ADAPTER_BYTES = 4L << 30;

    private final String base;
    private final String apiKey;
    private final Path cacheDir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /**
     * @param registry the control plane's URL, with or without {@code /v1}
     * @param apiKey its bearer key, or null when it runs without keys
     * @param cacheDir where downloaded adapters are kept, one directory per sha256
     */
    public RegistryAdapters(String registry, String apiKey, Path cacheDir) {
        String s = registry.endsWith("/") ? registry.substring(0, registry.length() - 1) : registry;
        this.base = s.endsWith("/v1") ? s : s + "/v1";
        this.apiKey = apiKey;
        this.cacheDir = cacheDir;
    }

    @Override
    public Optional<AdapterVersion> resolve(String name) {
        String path = "/adapters/" + URLEncoder.encode(name, StandardCharsets.UTF_8);
        HttpResponse<InputStream> response = send(path);
        try (InputStream body = response.body()) {
            if (response.statusCode() == 404) {
                return Optional.empty();
            }
            if (response.statusCode() != 200) {
                String message = "the registry at " + base + " answered " + response.statusCode() + " for adapter '" + name + "': "
                        + new String(body.readAllBytes(), StandardCharsets.UTF_8);
                throw response.statusCode() >= 500 ? new RegistryUnavailableException(message, null) : new IllegalStateException(message);
            }
            JsonNode adapter = JSON.readTree(body);
            String sha256 = adapter.path("sha256").asText();
            if (!sha256.matches("[0-9a-f]{64}")) {
                throw new IllegalStateException("the registry's adapter '" + name + "' has no sha256");
            }
            return Optional.of(new AdapterVersion(name, adapter.path("version").asLong(), adapter.path("base_model").asText(""),
                    sha256, () -> download(path + "/content", cacheDir.resolve(sha256))));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the registry's answer for adapter '" + name + "': " + e.getMessage(), e);
        }
    }

    /** The version's directory, downloaded and unpacked whole the first time. */
    private Path download(String path, Path dir) {
        if (Files.isDirectory(dir)) {
            return dir;
        }
        HttpResponse<InputStream> response = send(path);
        try (InputStream zip = response.body()) {
            if (response.statusCode() != 200) {
                throw new IllegalStateException("the registry at " + base + " answered " + response.statusCode() + " for " + path);
            }
            Zips.unzip(zip, dir, MAX_ADAPTER_BYTES);
            return dir;
        } catch (IOException e) {
            if (Files.isDirectory(dir)) {
                return dir;   // another download of the same version won the race
            }
            throw new UncheckedIOException("cannot download " + base + path + " to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The first message down the causes, or the error's kind: the JDK's refused connection has no message at all. */
    private static String reason(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                return t.getMessage();
            }
        }
        return error.getClass().getSimpleName();
    }

    private HttpResponse<InputStream> send(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5)).GET();
        if (apiKey != null && !apiKey.isBlank()) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new RegistryUnavailableException("cannot reach the adapter registry at " + base + ": " + reason(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
