package dev.loraplane.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.loraplane.engine.quant.Nf4Linear;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;

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
     * the file mapping; F16/BF16 are converted once to {@code dtype}. Under {@link Quantization#NF4}
     * the seven projections of each layer are quantized as they load.
     */
    static LlamaWeights load(Path dir, ModelConfig c, NDManager manager, DataType dtype, Quantization quantization) {
        Loader l = new Loader(WeightFiles.open(dir), manager, dtype, quantization);
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
                    l.projection(p + "self_attn.q_proj", q, d, c.qkvBias()),
                    l.projection(p + "self_attn.k_proj", kv, d, c.qkvBias()),
                    l.projection(p + "self_attn.v_proj", kv, d, c.qkvBias()),
                    l.projection(p + "self_attn.o_proj", d, q, false),
                    l.tensor(p + "post_attention_layernorm.weight", d),
                    l.projection(p + "mlp.gate_proj", h, d, c.mlpBias()),
                    l.projection(p + "mlp.up_proj", h, d, c.mlpBias()),
                    l.projection(p + "mlp.down_proj", d, h, c.mlpBias())));
        }
        NDArray norm = l.tensor("model.norm.weight", d);
        boolean tied = c.tieWordEmbeddings() || !l.files.contains("lm_head.weight");
        Linear head = tied ? new DenseLinear(embed, null) : l.dense("lm_head", c.vocabSize(), d, false);
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

    /**
     * Resident bits per quantized weight element, {@code 8·Σ bytes / Σ elements} over the NF4
     * projections (biases excluded), or empty when none is quantized.
     */
    public OptionalDouble quantizedBitsPerParameter() {
        long bytes = 0;
        long params = 0;
        for (LayerWeights w : layers) {
            for (Linear linear : w.projections().values()) {
                if (linear instanceof Nf4Linear nf4) {
                    bytes += nf4.weight().residentBytes();
                    params += nf4.weight().size();
                }
            }
        }
        return params == 0 ? OptionalDouble.empty() : OptionalDouble.of(8.0 * bytes / params);
    }

    private static long bytes(NDArray a) {
        return a.getShape().size() * a.getDataType().getNumOfBytes();
    }

    private record Loader(WeightFiles files, NDManager manager, DataType dtype, Quantization quantization) {

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
            NDArray converted = stored.toType(dtype, false);
            stored.close();
            return converted;
        }

        /** One of the seven layer projections, quantized when the model is. */
        Linear projection(String prefix, int out, int in, boolean bias) {
            return switch (quantization) {
                case NONE -> dense(prefix, out, in, bias);
                case NF4 -> Nf4Linear.quantize(tensor(prefix + ".weight", out, in), bias ? tensor(prefix + ".bias", out) : null);
            };
        }

        DenseLinear dense(String prefix, int out, int in, boolean bias) {
            return new DenseLinear(tensor(prefix + ".weight", out, in), bias ? tensor(prefix + ".bias", out) : null);
        }
    }
}
