package dev.loraplane.engine.tiny;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loraplane.engine.model.SafeTensorsWriter;
import dev.loraplane.engine.model.SafeTensorsWriter.F32Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a built-in base model: a randomly initialized {@code LlamaForCausalLM} in Hugging Face layout
 * (config.json, model.safetensors, tokenizer.json, tokenizer_config.json) that loraplane, transformers
 * and PEFT all load. Initialization is transformers': linear and embedding weights drawn from
 * N(0, 0.02²), the padding token's embedding row zero, RMSNorm weights one. One exception: an untied
 * output head is drawn from N(0, 1/hidden). LoRA never trains the head, and at 0.02 a 128-wide head
 * caps every logit near ±2.6 (row norm 0.02·√128 times a unit-RMS hidden state of norm √128), so no
 * adapter could make the model confident of anything; at 1/√hidden the cap is √hidden ≈ 11.
 *
 * <p>The same preset and seed give byte-identical files on any machine: each tensor draws from its own
 * {@link SplittableRandom} (a specified algorithm) seeded by the seed and the tensor's name, through a
 * Box-Muller transform in {@link StrictMath}.
 */
public final class TinyModel {

    private static final double INIT_STD = 0.02;

    private static final ObjectMapper JSON = new ObjectMapper();

    private TinyModel() {}

    /** Writes the model into {@code outDir}, creating it if needed and replacing those four files. */
    public static void write(Preset preset, Path outDir, long seed) {
        try {
            Files.createDirectories(outDir);
            JSON.writerWithDefaultPrettyPrinter().writeValue(outDir.resolve("config.json").toFile(), config(preset));
        } catch (IOException e) {
            throw new UncheckedIOException(outDir + ": cannot write config.json: " + e.getMessage(), e);
        }
        SafeTensorsWriter.write(outDir.resolve("model.safetensors"), weights(preset, seed));
        ByteLevelTokenizer.write(outDir, preset);
    }

    private static ObjectNode config(Preset p) {
        ObjectNode c = JSON.createObjectNode();
        c.put("_name_or_path", p.modelName());
        c.putArray("architectures").add("LlamaForCausalLM");
        c.put("model_type", "llama");
        c.put("hidden_size", p.hiddenSize());
        c.put("intermediate_size", p.intermediateSize());
        c.put("num_hidden_layers", p.numLayers());
        c.put("num_attention_heads", p.numHeads());
        c.put("num_key_value_heads", p.numKvHeads());
        c.put("head_dim", p.headDim());
        c.put("hidden_act", "silu");
        c.put("max_position_embeddings", p.maxPositions());
        c.put("rms_norm_eps", 1e-5);
        c.put("rope_theta", 10000.0);
        c.putNull("rope_scaling");
        c.put("attention_bias", false);
        c.put("attention_dropout", 0.0);
        c.put("mlp_bias", false);
        c.put("initializer_range", INIT_STD);
        c.put("tie_word_embeddings", p.tieWordEmbeddings());
        c.put("vocab_size", p.vocabSize());
        c.put("bos_token_id", ByteLevelTokenizer.BOS);
        c.putArray("eos_token_id").add(ByteLevelTokenizer.EOS).add(ByteLevelTokenizer.IM_END);
        c.put("pad_token_id", ByteLevelTokenizer.PAD);
        c.put("torch_dtype", "float32");
        c.put("use_cache", true);
        return c;
    }

    private static Map<String, F32Tensor> weights(Preset p, long seed) {
        int d = p.hiddenSize();
        int q = p.numHeads() * p.headDim();
        int kv = p.numKvHeads() * p.headDim();
        int h = p.intermediateSize();
        Map<String, F32Tensor> w = new LinkedHashMap<>();
        w.put("model.embed_tokens.weight", new F32Tensor(new long[] {p.vocabSize(), d}, () -> {
            float[] embedding = normal(seed, "model.embed_tokens.weight", (long) p.vocabSize() * d, INIT_STD);
            Arrays.fill(embedding, ByteLevelTokenizer.PAD * d, (ByteLevelTokenizer.PAD + 1) * d, 0f);
            return embedding;
        }));
        for (int i = 0; i < p.numLayers(); i++) {
            String l = "model.layers." + i + ".";
            w.put(l + "input_layernorm.weight", ones(d));
            w.put(l + "self_attn.q_proj.weight", normal(seed, l + "self_attn.q_proj.weight", q, d));
            w.put(l + "self_attn.k_proj.weight", normal(seed, l + "self_attn.k_proj.weight", kv, d));
            w.put(l + "self_attn.v_proj.weight", normal(seed, l + "self_attn.v_proj.weight", kv, d));
            w.put(l + "self_attn.o_proj.weight", normal(seed, l + "self_attn.o_proj.weight", d, q));
            w.put(l + "post_attention_layernorm.weight", ones(d));
            w.put(l + "mlp.gate_proj.weight", normal(seed, l + "mlp.gate_proj.weight", h, d));
            w.put(l + "mlp.up_proj.weight", normal(seed, l + "mlp.up_proj.weight", h, d));
            w.put(l + "mlp.down_proj.weight", normal(seed, l + "mlp.down_proj.weight", d, h));
        }
        w.put("model.norm.weight", ones(d));
        if (!p.tieWordEmbeddings()) {
            w.put("lm_head.weight", new F32Tensor(new long[] {p.vocabSize(), d},
                    () -> normal(seed, "lm_head.weight", (long) p.vocabSize() * d, 1 / Math.sqrt(d))));
        }
        return w;
    }

    private static F32Tensor ones(int size) {
        return new F32Tensor(new long[] {size}, () -> {
            float[] values = new float[size];
            Arrays.fill(values, 1f);
            return values;
        });
    }

    private static F32Tensor normal(long seed, String name, int rows, int columns) {
        return new F32Tensor(new long[] {rows, columns}, () -> normal(seed, name, (long) rows * columns, INIT_STD));
    }

    /** {@code count} draws from N(0, std²), a stream of its own for each tensor name. */
    private static float[] normal(long seed, String name, long count, double std) {
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
        float[] values = new float[Math.toIntExact(count)];
        for (int i = 0; i < values.length; i += 2) {
            double radius = StrictMath.sqrt(-2 * StrictMath.log(1 - random.nextDouble())) * std;
            double angle = 2 * StrictMath.PI * random.nextDouble();
            values[i] = (float) (radius * StrictMath.cos(angle));
            if (i + 1 < values.length) {
                values[i + 1] = (float) (radius * StrictMath.sin(angle));
            }
        }
        return values;
    }
}
