package dev.loraplane.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors files of a model directory: {@code model.safetensors}, or the shards listed in
 * {@code model.safetensors.index.json}. Finds which file holds each tensor.
 */
public final class WeightFiles {

    static final String SINGLE = "model.safetensors";
    static final String INDEX = "model.safetensors.index.json";

    private final Path dir;
    private final Map<String, SafeTensors> byTensor;

    private WeightFiles(Path dir, Map<String, SafeTensors> byTensor) {
        this.dir = dir;
        this.byTensor = byTensor;
    }

    public static WeightFiles open(Path dir) {
        Map<String, SafeTensors> byTensor = new LinkedHashMap<>();
        Path index = dir.resolve(INDEX);
        if (Files.exists(index)) {
            JsonNode weightMap;
            try {
                weightMap = new ObjectMapper().readTree(index.toFile()).path("weight_map");
            } catch (IOException e) {
                throw new ModelLoadException(index + ": cannot read: " + e.getMessage(), e);
            }
            if (!weightMap.isObject() || weightMap.isEmpty()) {
                throw new ModelLoadException(index + ": no weight_map");
            }
            Map<String, SafeTensors> shards = new HashMap<>();
            weightMap.fields().forEachRemaining(e -> {
                Path shard = dir.resolve(e.getValue().asText());
                if (!Files.exists(shard)) {
                    throw new ModelLoadException(index + ": tensor " + e.getKey() + " is in " + shard.getFileName()
                            + ", which does not exist");
                }
                SafeTensors file = shards.computeIfAbsent(e.getValue().asText(), f -> SafeTensors.open(shard));
                if (!file.tensors().containsKey(e.getKey())) {
                    throw new ModelLoadException(shard + ": no tensor " + e.getKey() + ", though " + INDEX + " says so");
                }
                byTensor.put(e.getKey(), file);
            });
        } else if (Files.exists(dir.resolve(SINGLE))) {
            SafeTensors file = SafeTensors.open(dir.resolve(SINGLE));
            file.tensors().keySet().forEach(name -> byTensor.put(name, file));
        } else {
            throw new ModelLoadException(dir + ": neither " + SINGLE + " nor " + INDEX + " is there");
        }
        return new WeightFiles(dir, byTensor);
    }

    /** Every tensor name in the checkpoint. */
    public java.util.Set<String> names() {
        return byTensor.keySet();
    }

    boolean contains(String name) {
        return byTensor.containsKey(name);
    }

    /** The file holding a tensor; a missing tensor names the directory and the tensor. */
    public SafeTensors file(String name) {
        SafeTensors file = byTensor.get(name);
        if (file == null) {
            throw new ModelLoadException(dir + ": tensor " + name + " is missing from the checkpoint");
        }
        return file;
    }

    public SafeTensors.TensorInfo info(String name) {
        return file(name).tensors().get(name);
    }
}
