package dev.loraplane.engine.lora;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Writes an adapter directory the way PEFT's {@code save_pretrained} lays it out, independently of
 * loraplane's own writer: PEFT's adapter_config.json fields, and a safetensors file whose keys and
 * shapes follow PEFT's documented names ({@code base_model.model.model.layers.{i}.self_attn.q_proj.lora_A.weight}
 * {@code [r, in]}, {@code ...lora_B.weight} {@code [out, r]}).
 */
final class PeftFixture {

    /** Tensor name → row-major float32 values, with shapes alongside. */
    final Map<String, float[]> values = new TreeMap<>();
    final Map<String, long[]> shapes = new LinkedHashMap<>();

    /** Adds random A and B (both non-zero, so the update is visible) for one projection. */
    PeftFixture module(int layer, String block, String module, int r, int in, int out, SplittableRandom random) {
        String prefix = "base_model.model.model.layers." + layer + "." + block + "." + module;
        put(prefix + ".lora_A.weight", random(r * in, random, 0.3), r, in);
        put(prefix + ".lora_B.weight", random(out * r, random, 0.3), out, r);
        return this;
    }

    PeftFixture put(String name, float[] data, long... shape) {
        values.put(name, data);
        shapes.put(name, shape);
        return this;
    }

    static float[] random(int n, SplittableRandom random, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (random.nextGaussian() * scale);
        }
        return a;
    }

    /** PEFT 0.13's adapter_config.json for a LoRA on a causal LM. */
    static String config(int r, double alpha, String targetModules, boolean rslora) {
        return """
                {
                  "alpha_pattern": {},
                  "auto_mapping": null,
                  "base_model_name_or_path": "stories260K",
                  "bias": "none",
                  "fan_in_fan_out": false,
                  "inference_mode": true,
                  "init_lora_weights": true,
                  "layer_replication": null,
                  "layers_pattern": null,
                  "layers_to_transform": null,
                  "loftq_config": {},
                  "lora_alpha": %s,
                  "lora_dropout": 0.05,
                  "megatron_config": null,
                  "megatron_core": "megatron.core",
                  "modules_to_save": null,
                  "peft_type": "LORA",
                  "r": %d,
                  "rank_pattern": {},
                  "revision": null,
                  "target_modules": %s,
                  "task_type": "CAUSAL_LM",
                  "use_dora": false,
                  "use_rslora": %s
                }
                """.formatted(alpha, r, targetModules, rslora);
    }

    void write(Path dir, String config) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("adapter_config.json"), config);
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        for (Map.Entry<String, float[]> e : values.entrySet()) {
            long bytes = e.getValue().length * 4L;
            StringBuilder shape = new StringBuilder();
            for (long d : shapes.get(e.getKey())) {
                shape.append(shape.length() == 0 ? "" : ",").append(d);
            }
            header.append(",\"").append(e.getKey()).append("\":{\"dtype\":\"F32\",\"shape\":[").append(shape)
                    .append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        header.append('}');
        while ((header.length() + 8) % 8 != 0) {
            header.append(' ');
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(dir.resolve("adapter_model.safetensors"))) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            out.write(json);
            for (float[] data : values.values()) {
                ByteBuffer buffer = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                buffer.asFloatBuffer().put(data);
                out.write(buffer.array());
            }
        }
    }
}
