package dev.loraplane.engine.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.loraplane.engine.model.LayerWeights;
import dev.loraplane.engine.model.Linear;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.model.SafeTensors;
import dev.loraplane.engine.model.SafeTensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One LoRA adapter: for each adapted projection {@code W} of the base model, two matrices {@code A
 * [r, in]} and {@code B [out, r]} with {@code W' = W + scaling · B·A}. The weights live in the
 * adapter's own manager, beside the base model and never inside it.
 */
public final class LoraAdapter implements AutoCloseable {

    public static final String WEIGHTS_FILE = "adapter_model.safetensors";

    private final String name;
    private final LoraConfig config;
    private final Map<ModuleKey, LoraModule> modules;
    private final NDManager manager;

    /** A projection of one decoder layer, e.g. layer 3's {@code q_proj}. */
    public record ModuleKey(int layer, String module) {

        /** The PEFT tensor-name prefix, e.g. {@code base_model.model.model.layers.3.self_attn.q_proj}. */
        public String peftPrefix() {
            return "base_model.model.model.layers." + layer + "." + LoraConfig.block(module) + "." + module;
        }
    }

    /**
     * The two factors of one adapted projection.
     *
     * @param a {@code lora_A [r, in]}
     * @param b {@code lora_B [out, r]}
     */
    public record LoraModule(NDArray a, NDArray b) {}

    LoraAdapter(String name, LoraConfig config, Map<ModuleKey, LoraModule> modules, NDManager manager) {
        this.name = name;
        this.config = config;
        this.modules = Map.copyOf(modules);
        this.manager = manager;
    }

    /**
     * A new adapter initialized as PEFT does: A Kaiming-uniform ({@code a = √5}, so bounds {@code
     * ±1/√in}), B zero, so the adapted model starts equal to the base.
     */
    public static LoraAdapter initialize(String name, LoraConfig config, Llama model, long seed) {
        NDManager manager = model.manager().newSubManager();
        SplittableRandom random = new SplittableRandom(seed);
        Map<ModuleKey, LoraModule> modules = new LinkedHashMap<>();
        List<LayerWeights> layers = model.weights().layers();
        for (int i = 0; i < layers.size(); i++) {
            for (String module : config.targetModules()) {
                Linear base = layers.get(i).projections().get(module);
                int in = base.inFeatures();
                float bound = (float) (1 / Math.sqrt(in));
                float[] a = new float[config.r() * in];
                for (int j = 0; j < a.length; j++) {
                    a[j] = (float) (random.nextDouble(-bound, bound));
                }
                modules.put(new ModuleKey(i, module), new LoraModule(
                        manager.create(a, new Shape(config.r(), in)),
                        manager.zeros(new Shape(base.outFeatures(), config.r()), DataType.FLOAT32)));
            }
        }
        return new LoraAdapter(name, config, modules, manager);
    }

    /**
     * Loads a PEFT adapter directory ({@code adapter_config.json}, {@code adapter_model.safetensors})
     * once {@link PeftCheckpoint#open} has checked it fits {@code model}: every target module of every
     * layer present, shapes matching the base projections, no tensor left over.
     */
    public static LoraAdapter fromCheckpoint(String name, Path dir, Llama model) {
        PeftCheckpoint checkpoint = PeftCheckpoint.open(dir, model.config());
        NDManager manager = model.manager().newSubManager();
        try {
            Map<ModuleKey, LoraModule> modules = new LinkedHashMap<>();
            for (ModuleKey key : checkpoint.modules()) {
                modules.put(key, new LoraModule(load(checkpoint.weights(), key.peftPrefix() + ".lora_A.weight", manager),
                        load(checkpoint.weights(), key.peftPrefix() + ".lora_B.weight", manager)));
            }
            return new LoraAdapter(name, checkpoint.config(), modules, manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static NDArray load(SafeTensors file, String tensor, NDManager manager) {
        // A private float32 copy in libtorch's own memory: the mapping is read-only and may be unmapped
        // once the view closes, while adapters live on and may be trained in place. (toType with
        // copy=true returns an alias when the dtype already matches, so same-dtype tensors are cloned.)
        NDArray view = file.load(tensor, manager);
        NDArray copy = view.getDataType() == DataType.FLOAT32 ? view.duplicate() : view.toType(DataType.FLOAT32, false);
        view.close();
        return copy;
    }

    /**
     * Writes the adapter as PEFT's {@code save_pretrained} does: {@code adapter_config.json} and
     * {@code adapter_model.safetensors} with PEFT's tensor names, float32.
     */
    public void save(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new LoraException(dir + ": cannot create: " + e.getMessage(), e);
        }
        PeftConfig.write(config, dir);
        Map<String, SafeTensorsWriter.F32Tensor> tensors = new LinkedHashMap<>();
        modules.forEach((key, m) -> {
            tensors.put(key.peftPrefix() + ".lora_A.weight", tensor(m.a()));
            tensors.put(key.peftPrefix() + ".lora_B.weight", tensor(m.b()));
        });
        SafeTensorsWriter.write(dir.resolve(WEIGHTS_FILE), tensors);
    }

    private static SafeTensorsWriter.F32Tensor tensor(NDArray array) {
        return new SafeTensorsWriter.F32Tensor(array.getShape().getShape(), array::toFloatArray);
    }

    public String name() {
        return name;
    }

    public LoraConfig config() {
        return config;
    }

    public Map<ModuleKey, LoraModule> modules() {
        return modules;
    }

    /** The factors of one projection, or null when the adapter leaves it alone. */
    public LoraModule module(int layer, String module) {
        return modules.get(new ModuleKey(layer, module));
    }

    /** Bytes the adapter's weights hold. */
    public long residentBytes() {
        return modules.values().stream()
                .mapToLong(m -> (m.a().getShape().size() + m.b().getShape().size()) * 4)
                .sum();
    }

    @Override
    public void close() {
        manager.close();
    }
}
