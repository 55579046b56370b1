package dev.loraplane.engine.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * PEFT's {@code adapter_config.json}: read into a {@link LoraConfig}, refusing by name every PEFT
 * feature loraplane does not implement rather than ignoring it, and written back the way PEFT writes
 * it.
 */
public final class PeftConfig {

    public static final String FILE = "adapter_config.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Fields that change what the adapter computes, with the value that means "not used". */
    private static final Map<String, String> UNSUPPORTED = Map.of(
            "use_dora", "DoRA weight decomposition",
            "rank_pattern", "per-module ranks",
            "alpha_pattern", "per-module alphas",
            "layers_to_transform", "adapting only some layers",
            "modules_to_save", "fully trained extra modules",
            "fan_in_fan_out", "Conv1D-style transposed weights",
            "layer_replication", "layer replication",
            "lora_bias", "a bias on lora_B",
            "use_qalora", "QA-LoRA");

    private PeftConfig() {}

    public static LoraConfig read(Path dir) {
        Path file = dir.resolve(FILE);
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new LoraException(file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(root, file.toString());
    }

    static LoraConfig parse(JsonNode root, String source) {
        String peftType = root.path("peft_type").asText("");
        if (!peftType.equals("LORA")) {
            throw new LoraException(source + ": peft_type is '" + peftType + "'; loraplane loads LORA adapters");
        }
        String taskType = root.path("task_type").asText("CAUSAL_LM");
        if (!taskType.equals("CAUSAL_LM")) {
            throw new LoraException(source + ": task_type is '" + taskType + "'; expected CAUSAL_LM");
        }
        for (Map.Entry<String, String> field : UNSUPPORTED.entrySet()) {
            JsonNode value = root.get(field.getKey());
            if (value != null && isSet(value)) {
                throw new LoraException(source + ": " + field.getKey() + " = " + value + " (" + field.getValue()
                        + ") is not supported by loraplane; retrain without it or merge the adapter in PEFT");
            }
        }
        String bias = root.path("bias").asText("none");
        if (!bias.equals("none")) {
            throw new LoraException(source + ": bias = '" + bias + "' is not supported; loraplane adapters train no biases (bias: none)");
        }
        try {
            return new LoraConfig(
                    root.path("r").asInt(8),
                    root.path("lora_alpha").asDouble(8),
                    root.path("lora_dropout").asDouble(0),
                    targetModules(root.get("target_modules"), source),
                    root.path("use_rslora").asBoolean(false),
                    root.path("base_model_name_or_path").asText(""));
        } catch (LoraException e) {
            throw new LoraException(source + ": " + e.getMessage(), e);
        }
    }

    /** Writes the config as PEFT does, so PEFT and vLLM load the adapter. */
    public static void write(LoraConfig config, Path dir) {
        ObjectNode root = JSON.createObjectNode();
        root.put("peft_type", "LORA");
        root.put("task_type", "CAUSAL_LM");
        root.put("base_model_name_or_path", config.baseModelNameOrPath());
        root.put("r", config.r());
        root.put("lora_alpha", config.alpha());
        root.put("lora_dropout", config.dropout());
        root.putPOJO("target_modules", config.targetModules());
        root.put("bias", "none");
        root.put("use_rslora", config.useRslora());
        root.put("use_dora", false);
        root.put("fan_in_fan_out", false);
        root.put("inference_mode", true);
        root.put("init_lora_weights", true);
        root.putNull("layers_to_transform");
        root.putNull("modules_to_save");
        root.putObject("rank_pattern");
        root.putObject("alpha_pattern");
        try {
            Files.writeString(dir.resolve(FILE), JSON.writeValueAsString(root) + "\n");
        } catch (IOException e) {
            throw new LoraException(dir.resolve(FILE) + ": cannot write: " + e.getMessage(), e);
        }
    }

    private static boolean isSet(JsonNode value) {
        return !(value.isNull() || value.isMissingNode() || (value.isBoolean() && !value.asBoolean())
                || (value.isContainerNode() && value.isEmpty()));
    }

    /** A list of module names, or PEFT's alternative, a regex the full module path must match. */
    private static List<String> targetModules(JsonNode node, String source) {
        if (node == null || node.isNull()) {
            throw new LoraException("target_modules is missing");
        }
        List<String> modules = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> modules.add(n.asText()));
        } else {
            Pattern regex = Pattern.compile(node.asText());
            for (String module : LoraConfig.MODULES) {
                if (regex.matcher("model.layers.0." + LoraConfig.block(module) + "." + module).matches()) {
                    modules.add(module);
                }
            }
            if (modules.isEmpty()) {
                throw new LoraException("target_modules regex '" + node.asText() + "' matches no projection of the model");
            }
        }
        return modules;
    }
}
