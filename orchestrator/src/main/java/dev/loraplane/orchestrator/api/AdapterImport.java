package dev.loraplane.orchestrator.api;

import dev.loraplane.engine.Directories;
import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.lora.LoraConfig;
import dev.loraplane.engine.lora.LoraException;
import dev.loraplane.engine.lora.PeftCheckpoint;
import dev.loraplane.engine.lora.PeftConfig;
import dev.loraplane.engine.model.ModelConfig;
import dev.loraplane.orchestrator.artifacts.ArtifactStore;
import dev.loraplane.orchestrator.store.Adapter;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.FileUpload;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The work of {@code POST /v1/adapters} short of the registry row. The form names the adapter
 * ({@code name}) and its base ({@code base_model}), and carries the PEFT directory as one zip
 * ({@code file}) or as its two files ({@code adapter_config}, {@code adapter_model}). The adapter is
 * staged, checked against the base model's {@code config.json} from headers alone ({@link
 * PeftCheckpoint}), then published under {@code <dataDir>/adapters/imported/<sha256 of the
 * weights>/<sha256 of the config>/}: equal content is stored once and a published directory never
 * changes. A refusal leaves nothing behind.
 */
final class AdapterImport {

    static final int MAX_NAME = 256;

    private static final Set<String> PARTS = Set.of("file", "adapter_config", "adapter_model");

    private final Path dataDir;
    private final Map<String, Path> baseModels;
    private final long maxBytes;

    /**
     * @param baseModels base model name → its Hugging Face directory
     * @param maxBytes the most an adapter may unpack to
     */
    AdapterImport(Path dataDir, Map<String, Path> baseModels, long maxBytes) {
        this.dataDir = dataDir;
        this.baseModels = Map.copyOf(baseModels);
        this.maxBytes = maxBytes;
    }

    /**
     * Checks and publishes the request's adapter, deleting its uploads; returns the row to register
     * (version 0: the store numbers it). Blocking.
     */
    Adapter publish(String tenant, MultiMap form, List<FileUpload> uploads) throws IOException {
        Path staging = dataDir.resolve("uploads").resolve(Ids.newId("adapter"));
        try {
            String name = checkedName(form.get("name"));
            String baseModel = form.get("base_model");
            Path baseDir = baseDir(baseModel);
            boolean zipped = stage(uploads, staging);
            check(staging, baseModel, ModelConfig.read(baseDir.resolve("config.json")), zipped);
            Path config = staging.resolve(PeftConfig.FILE);
            Path weights = staging.resolve(LoraAdapter.WEIGHTS_FILE);
            String sha256 = ArtifactStore.sha256(weights);
            long bytes = Files.size(config) + Files.size(weights);
            Path published = dataDir.resolve("adapters").resolve("imported").resolve(sha256).resolve(ArtifactStore.sha256(config));
            move(staging, published);
            return new Adapter(name, 0, tenant, baseModel, null, published.toString(), sha256, bytes,
                    System.currentTimeMillis() / 1000);
        } finally {
            Directories.deleteTree(staging);
            for (FileUpload upload : uploads) {
                Files.deleteIfExists(Path.of(upload.uploadedFileName()));
            }
        }
    }

    /** The name requests will pass as {@code model}: printable, no path, at most {@value #MAX_NAME} characters. */
    static String checkedName(String name) {
        if (name == null || name.isEmpty()) {
            throw ApiException.invalid("name", "missing_required_parameter",
                    "name is required: the adapter's name, which requests pass as model");
        }
        if (name.length() > MAX_NAME || name.contains("..") || name.contains("/") || name.contains("\\")
                || name.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            String shown = name.length() > 80 ? name.substring(0, 80) + "…" : name;
            throw ApiException.invalid("name", "invalid_name", "name '" + shown + "' is not allowed: use at most " + MAX_NAME
                    + " characters without '/', '\\', '..', spaces or control characters");
        }
        return name;
    }

    private Path baseDir(String baseModel) {
        if (baseModel == null || baseModel.isEmpty()) {
            throw ApiException.invalid("base_model", "missing_required_parameter",
                    "base_model is required: the base model the adapter was trained on");
        }
        Path dir = baseModels.get(baseModel);
        if (dir == null) {
            throw ApiException.invalid("base_model", "model_not_found", "base_model '" + baseModel
                    + "' is not a base model here; available: " + String.join(", ", baseModels.keySet().stream().sorted().toList()));
        }
        return dir;
    }

    /** Writes the adapter's two files into {@code staging}; true when they came as a zip. */
    private boolean stage(List<FileUpload> uploads, Path staging) throws IOException {
        Map<String, FileUpload> parts = new HashMap<>();
        for (FileUpload upload : uploads) {
            if (!PARTS.contains(upload.name())) {
                throw ApiException.invalid(upload.name(), "unexpected_part", "part '" + upload.name()
                        + "' is not expected; send the adapter as file (a zip), or as adapter_config and adapter_model");
            }
            if (parts.put(upload.name(), upload) != null) {
                throw ApiException.invalid(upload.name(), "duplicate_part", "send one part named " + upload.name());
            }
        }
        Files.createDirectories(staging);
        if (parts.containsKey("file")) {
            if (parts.size() > 1) {
                throw ApiException.invalid("file", "invalid_request", "send the adapter either as file (a zip) or as"
                        + " adapter_config and adapter_model, not both");
            }
            AdapterZip.extract(Path.of(parts.get("file").uploadedFileName()), staging, maxBytes);
            return true;
        }
        if (parts.isEmpty()) {
            throw ApiException.invalid("file", "missing_file", "send the adapter as a zip of its PEFT directory in a part named"
                    + " file, or as parts adapter_config (adapter_config.json) and adapter_model (adapter_model.safetensors)");
        }
        for (String part : List.of("adapter_config", "adapter_model")) {
            if (!parts.containsKey(part)) {
                throw ApiException.invalid(part, "missing_file", "part " + part + " is missing; send adapter_config"
                        + " (adapter_config.json) and adapter_model (adapter_model.safetensors) together");
            }
        }
        Files.move(Path.of(parts.get("adapter_config").uploadedFileName()), staging.resolve(PeftConfig.FILE));
        Files.move(Path.of(parts.get("adapter_model").uploadedFileName()), staging.resolve(LoraAdapter.WEIGHTS_FILE));
        return false;
    }

    /**
     * The config first, then the tensors against the base; a refusal names the part at fault. The
     * config's {@code base_model_name_or_path} is only quoted, to explain a mismatch.
     */
    private static void check(Path staging, String baseModel, ModelConfig base, boolean zipped) {
        LoraConfig config;
        try {
            config = PeftConfig.read(staging);
        } catch (LoraException e) {
            throw ApiException.invalid(zipped ? "file" : "adapter_config", "invalid_adapter_config", relative(e, staging));
        }
        try {
            PeftCheckpoint.open(staging, base);
        } catch (LoraException e) {
            String trainedOn = config.baseModelNameOrPath().isEmpty() ? "" : "; its " + PeftConfig.FILE
                    + " says it was trained on '" + config.baseModelNameOrPath() + "'";
            throw ApiException.invalid(zipped ? "file" : "adapter_model", "invalid_adapter", relative(e, staging)
                    + " (importing onto base model " + baseModel + trainedOn + ")");
        }
    }

    /** The message without the server's staging path. */
    private static String relative(LoraException e, Path staging) {
        return e.getMessage().replace(staging + File.separator, "").replace(staging.toString(), "adapter");
    }

    /** Moves the staged directory to {@code published}, unless the same content is already there. */
    private static void move(Path staging, Path published) throws IOException {
        if (Files.isDirectory(published)) {
            return;
        }
        Files.createDirectories(published.getParent());
        try {
            Files.move(staging, published, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (!Files.isDirectory(published)) {
                throw e;
            }
            // Another import of the same content got there first: its files are these files.
        }
    }
}
