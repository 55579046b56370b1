package dev.loraplane.engine.model;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a model directory holds, read from {@code config.json} and the safetensors headers without
 * loading any weight.
 *
 * @param config the parsed config
 * @param parameters every parameter of the checkpoint (a tied head counted once)
 * @param projectionParameters the parameters of the seven linear projections of every layer: the
 *     ones NF4 quantizes and LoRA adapts
 * @param storedDtypes parameter count per stored dtype, e.g. {@code {BF16=…}}
 */
public record ModelInfo(ModelConfig config, long parameters, long projectionParameters, Map<String, Long> storedDtypes) {

    /** Bits per parameter of NF4 with double quantization: 4 + 8/64 + 32/(64·256). */
    public static final double NF4_BITS = 4 + 8.0 / 64 + 32.0 / (64 * 256);

    public ModelInfo {
        storedDtypes = Map.copyOf(storedDtypes);
    }

    public static ModelInfo read(Path dir) {
        ModelConfig config = ModelConfig.read(dir.resolve("config.json"));
        WeightFiles files = WeightFiles.open(dir);
        long parameters = 0;
        long projections = 0;
        Map<String, Long> dtypes = new TreeMap<>();
        for (String name : files.names()) {
            SafeTensors.TensorInfo info = files.info(name);
            long count = 1;
            for (long d : info.shape()) {
                count *= d;
            }
            parameters += count;
            dtypes.merge(info.dtype(), count, Long::sum);
            if (name.startsWith("model.layers.") && name.endsWith("_proj.weight")) {
                projections += count;
            }
        }
        return new ModelInfo(config, parameters, projections, dtypes);
    }

    public long bytesFp32() {
        return parameters * 4;
    }

    public long bytesBf16() {
        return parameters * 2;
    }

    /** Projections in NF4 with double quantization, everything else (embeddings, norms, head) in bf16. */
    public long bytesNf4() {
        return (long) Math.ceil(projectionParameters * NF4_BITS / 8) + (parameters - projectionParameters) * 2;
    }
}
