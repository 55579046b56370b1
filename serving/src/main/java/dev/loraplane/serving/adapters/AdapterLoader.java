package dev.loraplane.serving.adapters;

import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.lora.LoraConfig;
import dev.loraplane.engine.lora.LoraException;
import dev.loraplane.engine.lora.PeftConfig;
import dev.loraplane.engine.model.Llama;
import java.nio.file.Path;

/**
 * Loads one adapter version from its files into host memory, against the served base model: the disk
 * → host step of the adapter cache, and what a cold-load benchmark times ({@link ColdLoad}). Blocking.
 */
public final class AdapterLoader {

    /** vLLM's default {@code max_lora_rank} is 16; the issue asks for ranks up to 64. */
    public static final int DEFAULT_MAX_RANK = 64;

    private final String baseModel;
    private final Llama model;
    private final int maxRank;

    /**
     * @param baseModel the served base model's name, as the registry records adapters' bases
     * @param model the served base model
     * @param maxRank the largest rank accepted
     */
    public AdapterLoader(String baseModel, Llama model, int maxRank) {
        if (maxRank < 1) {
            throw new IllegalArgumentException("max LoRA rank must be at least 1, got " + maxRank);
        }
        this.baseModel = baseModel;
        this.model = model;
        this.maxRank = maxRank;
    }

    public String baseModel() {
        return baseModel;
    }

    public int maxRank() {
        return maxRank;
    }

    /**
     * Fetches the version's files if needed, checks them and loads the weights; the caller owns (and
     * closes) the result.
     *
     * @throws AdapterBaseMismatchException when the source names another base, or the tensors do not fit
     *     this one and {@code adapter_config.json} names another
     * @throws AdapterRankException when the rank is above the maximum
     * @throws LoraException when the files are malformed or do not fit the base model
     */
    public LoraAdapter load(AdapterVersion version) {
        if (!version.baseModel().isEmpty() && !version.baseModel().equals(baseModel)) {
            throw new AdapterBaseMismatchException(version.name(), version.baseModel(), baseModel, null);
        }
        Path dir = version.files().materialize();
        LoraConfig config;
        try {
            config = PeftConfig.read(dir);
        } catch (LoraException e) {
            throw withoutPath(e, dir, version.name());
        }
        if (config.r() > maxRank) {
            throw new AdapterRankException(version.name(), config.r(), maxRank);
        }
        try {
            return LoraAdapter.fromCheckpoint(version.name(), dir, model);
        } catch (LoraException e) {
            String trainedOn = config.baseModelNameOrPath();
            if (version.baseModel().isEmpty() && !trainedOn.isEmpty() && !namesServedBase(trainedOn)) {
                throw new AdapterBaseMismatchException(version.name(), trainedOn, baseModel, e);
            }
            throw withoutPath(e, dir, version.name());
        }
    }

    /**
     * The engine's error with the adapter's directory on this server replaced by its name: the
     * message goes to clients, who name adapters, not server paths.
     */
    private static LoraException withoutPath(LoraException e, Path dir, String name) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        return new LoraException(message.replace(dir.toString(), "adapter '" + name + "'"), e);
    }

    /** PEFT records a hub id or a path: {@code loraplane-tiny}, {@code /models/loraplane-tiny}. */
    private boolean namesServedBase(String trainedOn) {
        String trimmed = trainedOn.replaceAll("[/\\\\]+$", "");
        return trimmed.equals(baseModel) || trimmed.endsWith("/" + baseModel) || trimmed.endsWith("\\" + baseModel);
    }
}
