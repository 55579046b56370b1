package dev.loraplane.engine.lora;

import ai.djl.ndarray.types.Shape;
import dev.loraplane.engine.lora.LoraAdapter.ModuleKey;
import dev.loraplane.engine.model.ModelConfig;
import dev.loraplane.engine.model.ModelLoadException;
import dev.loraplane.engine.model.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PEFT adapter directory checked against a base model's {@code config.json} from headers alone:
 * {@code adapter_config.json} and the safetensors header are read, no weight is. These are the rules
 * {@link LoraAdapter#fromCheckpoint} loads by, so a checkpoint that opens here loads there:
 *
 * <ul>
 *   <li>every tensor is {@code base_model.model.model.layers.{i}.{self_attn|mlp}.{proj}.lora_{A|B}.weight}
 *       with {@code i} a layer of the base and {@code proj} one of {@code target_modules};
 *   <li>{@code lora_A} is {@code [r, in]} and {@code lora_B} {@code [out, r]}, {@code r} from
 *       {@code adapter_config.json}, {@code in}/{@code out} the base projection's (k/v are
 *       {@code kv_heads·head_dim} wide under grouped-query attention);
 *   <li>every target module of every layer has both factors, in a floating-point dtype.
 * </ul>
 *
 * @param config the adapter's hyperparameters
 * @param weights {@code adapter_model.safetensors}, its header read
 * @param modules the adapted projections, layer by layer in {@code target_modules} order
 */
public record PeftCheckpoint(LoraConfig config, SafeTensors weights, List<ModuleKey> modules) {

    private static final Pattern TENSOR =
            Pattern.compile("base_model\\.model\\.model\\.layers\\.(\\d{1,9})\\.(self_attn|mlp)\\.(\\w+)\\.lora_[AB]\\.weight");
    private static final Set<String> DTYPES = Set.of("F32", "F16", "BF16", "F64");

    public PeftCheckpoint {
        modules = List.copyOf(modules);
    }

    /**
     * Reads and checks {@code dir} against {@code base}.
     *
     * @throws LoraException naming the file, the tensor and what was expected, when the adapter is
     *     malformed, unsupported, or does not fit the base
     */
    public static PeftCheckpoint open(Path dir, ModelConfig base) {
        LoraConfig config = PeftConfig.read(dir);
        Path file = dir.resolve(LoraAdapter.WEIGHTS_FILE);
        if (!Files.isRegularFile(file)) {
            throw new LoraException(dir + ": " + LoraAdapter.WEIGHTS_FILE + " is missing");
        }
        SafeTensors weights;
        try {
            weights = SafeTensors.open(file);
        } catch (ModelLoadException e) {
            throw new LoraException(e.getMessage(), e);
        }
        Set<String> unused = new TreeSet<>(weights.tensors().keySet());
        List<ModuleKey> modules = new ArrayList<>();
        for (int layer = 0; layer < base.numLayers(); layer++) {
            for (String module : config.targetModules()) {
                ModuleKey key = new ModuleKey(layer, module);
                long[] projection = base.projectionShape(module);   // [out, in]
                expect(weights, key.peftPrefix() + ".lora_A.weight", new long[] {config.r(), projection[1]},
                        "lora_A is [r, in] with r = " + config.r() + " from " + PeftConfig.FILE + " and in = " + projection[1]
                                + " from the base model", unused);
                expect(weights, key.peftPrefix() + ".lora_B.weight", new long[] {projection[0], config.r()},
                        "lora_B is [out, r] with out = " + projection[0] + " from the base model and r = " + config.r()
                                + " from " + PeftConfig.FILE, unused);
                modules.add(key);
            }
        }
        if (!unused.isEmpty()) {
            String first = unused.iterator().next();
            throw new LoraException(file + ": tensor " + first + " is not used: " + whyUnused(first, config, base)
                    + (unused.size() > 1 ? " (" + (unused.size() - 1) + " more tensors are not used)" : ""));
        }
        return new PeftCheckpoint(config, weights, modules);
    }

    private static void expect(SafeTensors weights, String tensor, long[] shape, String rule, Set<String> unused) {
        SafeTensors.TensorInfo info = weights.tensors().get(tensor);
        if (info == null) {
            throw new LoraException(weights.file() + ": tensor " + tensor + " is missing; the adapter does not fit this model"
                    + " (every layer needs both factors of each of target_modules)");
        }
        if (!java.util.Arrays.equals(info.shape(), shape)) {
            throw new LoraException(weights.file() + ": tensor " + tensor + " has shape " + new Shape(info.shape())
                    + ", expected " + new Shape(shape) + " for this base model: " + rule);
        }
        if (!DTYPES.contains(info.dtype())) {
            throw new LoraException(weights.file() + ": tensor " + tensor + " has dtype " + info.dtype()
                    + "; LoRA weights are F32, F16, BF16 or F64");
        }
        unused.remove(tensor);
    }

    /** Why a tensor no target module of any layer asked for is there. */
    private static String whyUnused(String tensor, LoraConfig config, ModelConfig base) {
        Matcher m = TENSOR.matcher(tensor);
        if (!m.matches()) {
            return "its name is not a LoRA factor of a decoder layer's projection, which PEFT names"
                    + " base_model.model.model.layers.{i}.{self_attn|mlp}.{proj}.lora_{A|B}.weight";
        }
        int layer = Integer.parseInt(m.group(1));
        String module = m.group(3);
        if (!LoraConfig.MODULES.contains(module) || !LoraConfig.block(module).equals(m.group(2))) {
            return m.group(2) + "." + module + " is not a projection of a Llama decoder layer; LoRA adapts "
                    + String.join(", ", LoraConfig.MODULES);
        }
        if (layer >= base.numLayers()) {
            return "it is for layer " + layer + " but the base model has " + base.numLayers() + " layers (num_hidden_layers)";
        }
        return module + " is not in " + PeftConfig.FILE + "'s target_modules " + config.targetModules();
    }
}
