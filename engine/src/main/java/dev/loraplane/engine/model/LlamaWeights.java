package dev.loraplane.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The immutable base weights of a Llama-family model, shared by every request and adapter.
 *
 * @param embedTokens {@code [vocab, dim]}
 * @param layers the decoder layers
 * @param norm {@code [dim]}, the final RMSNorm
 * @param lmHead {@code [vocab, dim]}; the embedding itself when tied
 */
public record LlamaWeights(NDArray embedTokens, List<LayerWeights> layers, NDArray norm, Linear lmHead) {

    public LlamaWeights {
        layers = List.copyOf(layers);
    }

    /**
     * Loads every tensor the config calls for, checking each shape. Stored F32 tensors stay views of
     * the file mapping; F16/BF16 are converted once to {@code dtype}.
     */
    static LlamaWeights load(Path dir, ModelConfig c, NDManager manager, DataType dtype) {
        Loader l = new Loader(WeightFiles.open(dir), manager, dtype);
        int d = c.hiddenSize();
        int q = c.numHeads() * c.headDim();
        int kv = c.numKvHeads() * c.headDim();
        int h = c.intermediateSize();
        NDArray embed = l.tensor("model.embed_tokens.weight", c.vocabSize(), d);
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < c.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            layers.add(new LayerWeights(
                    l.tensor(p + "input_layernorm.weight", d),
                    l.linear(p + "self_attn.q_proj", q, d, c.qkvBias()),
                    l.linear(p + "self_attn.k_proj", kv, d, c.qkvBias()),
                    l.linear(p + "self_attn.v_proj", kv, d, c.qkvBias()),
                    l.linear(p + "self_attn.o_proj", d, q, false),
                    l.tensor(p + "post_attention_layernorm.weight", d),
                    l.linear(p + "mlp.gate_proj", h, d, c.mlpBias()),
                    l.linear(p + "mlp.up_proj", h, d, c.mlpBias()),
                    l.linear(p + "mlp.down_proj", d, h, c.mlpBias())));
        }
        NDArray norm = l.tensor("model.norm.weight", d);
        boolean tied = c.tieWordEmbeddings() || !l.files.contains("lm_head.weight");
        Linear head = tied ? new DenseLinear(embed, null) : l.linear("lm_head", c.vocabSize(), d, false);
        return new LlamaWeights(embed, layers, norm, head);
    }

    /** Bytes the base weights hold in memory; a tied head is counted once. */
    public long residentBytes() {
        long bytes = bytes(embedTokens) + bytes(norm);
        for (LayerWeights w : layers) {
            bytes += bytes(w.inputLayernorm()) + bytes(w.postAttentionLayernorm());
            bytes += w.projections().values().stream().mapToLong(Linear::residentBytes).sum();
        }
        if (!(lmHead instanceof DenseLinear dense && dense.weight() == embedTokens)) {
            bytes += lmHead.residentBytes();
        }
        return bytes;
    }

    private static long bytes(NDArray a) {
        return a.getShape().size() * a.getDataType().getNumOfBytes();
    }

    private record Loader(WeightFiles files, NDManager manager, DataType dtype) {

        NDArray tensor(String name, long... shape) {
            SafeTensors.TensorInfo info = files.info(name);
            if (!Arrays.equals(info.shape(), shape)) {
                throw new ModelLoadException(files.file(name).file() + ": tensor " + name + " has shape "
                        + new Shape(info.shape()) + ", expected " + new Shape(shape) + " from config.json");
            }
            NDArray stored = files.file(name).load(name, manager);
            if (stored.getDataType() == dtype) {
                return stored;
            }
            NDArray converted = stored.toType(dtype, true);
            stored.close();
            return converted;
        }

        Linear linear(String prefix, int out, int in, boolean bias) {
            return new DenseLinear(tensor(prefix + ".weight", out, in), bias ? tensor(prefix + ".bias", out) : null);
        }
    }
}
