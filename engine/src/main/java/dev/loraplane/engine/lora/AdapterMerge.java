package dev.loraplane.engine.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.loraplane.engine.model.SafeTensorsWriter;
import dev.loraplane.engine.model.WeightFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Folds an adapter into a copy of its base checkpoint, {@code W' = W + scaling · B·A} for every
 * adapted projection, so the result runs anywhere without LoRA support. Tensors are read from the
 * base checkpoint one at a time and written as float32; the tokenizer and config files are copied.
 */
public final class AdapterMerge {

    private static final Pattern PROJECTION =
            Pattern.compile("model\\.layers\\.(\\d+)\\.(?:self_attn|mlp)\\.([a-z_]+)\\.weight");
    private static final List<String> COPIED = List.of("config.json", "generation_config.json", "tokenizer.json",
            "tokenizer_config.json", "special_tokens_map.json");

    private AdapterMerge() {}

    public static void write(Path baseDir, LoraAdapter adapter, Path outDir, NDManager manager) {
        WeightFiles base = WeightFiles.open(baseDir);
        Map<String, SafeTensorsWriter.F32Tensor> tensors = new LinkedHashMap<>();
        for (String name : base.names()) {
            tensors.put(name, new SafeTensorsWriter.F32Tensor(base.info(name).shape(), () -> merged(base, name, adapter, manager)));
        }
        try {
            Files.createDirectories(outDir);
            for (String file : COPIED) {
                if (Files.exists(baseDir.resolve(file))) {
                    Files.copy(baseDir.resolve(file), outDir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(outDir + ": cannot write: " + e.getMessage(), e);
        }
        SafeTensorsWriter.write(outDir.resolve("model.safetensors"), tensors);
    }

    private static float[] merged(WeightFiles base, String name, LoraAdapter adapter, NDManager parent) {
        try (NDManager m = parent.newSubManager()) {
            NDArray w = base.file(name).load(name, m).toType(DataType.FLOAT32, false);   // read only
            Matcher projection = PROJECTION.matcher(name);
            if (projection.matches()) {
                LoraAdapter.LoraModule lora = adapter.module(Integer.parseInt(projection.group(1)), projection.group(2));
                if (lora != null) {
                    NDArray delta = lora.b().matMul(lora.a());   // [out, r] · [r, in]
                    delta.attach(m);
                    w = w.add(delta.mul(adapter.config().scaling()));
                }
            }
            return w.toFloatArray();
        }
    }
}
