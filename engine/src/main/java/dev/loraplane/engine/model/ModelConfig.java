package dev.loraplane.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A Hugging Face {@code config.json} of the Llama family. Qwen2 and Mistral are the same network with
 * flags: Qwen2 adds biases to q/k/v, Mistral may set a sliding window.
 *
 * @param architecture {@code LlamaForCausalLM}, {@code Qwen2ForCausalLM} or {@code MistralForCausalLM}
 * @param hiddenSize the residual stream width (dim)
 * @param intermediateSize the MLP's hidden width
 * @param numLayers decoder layers
 * @param numHeads query heads
 * @param numKvHeads key/value heads (grouped-query attention when fewer than query heads)
 * @param headDim width of one head
 * @param vocabSize tokens in the vocabulary
 * @param maxPositions the longest sequence the model was trained for
 * @param rmsNormEps epsilon of every RMSNorm
 * @param ropeTheta RoPE base frequency
 * @param ropeScaling llama3-style frequency scaling, or null
 * @param tieWordEmbeddings whether the LM head reuses the token embedding
 * @param qkvBias whether q/k/v projections carry a bias (Qwen2, or {@code attention_bias})
 * @param mlpBias whether the MLP projections carry a bias
 * @param slidingWindow Mistral's attention window, or 0 for none
 * @param bosTokenId the beginning-of-sequence token, or -1
 * @param eosTokenIds the end-of-sequence tokens
 */
public record ModelConfig(
        String architecture,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int vocabSize,
        int maxPositions,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean tieWordEmbeddings,
        boolean qkvBias,
        boolean mlpBias,
        int slidingWindow,
        int bosTokenId,
        List<Integer> eosTokenIds) {

    public static final Set<String> ARCHITECTURES =
            Set.of("LlamaForCausalLM", "Qwen2ForCausalLM", "MistralForCausalLM");

    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads " + numHeads
                    + " is not a multiple of num_key_value_heads " + numKvHeads);
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim " + headDim + " is odd; RoPE rotates pairs");
        }
    }

    /**
     * llama3 RoPE scaling ({@code rope_scaling.rope_type: llama3}): long wavelengths are divided by
     * {@code factor}, short ones kept, and the band between interpolated.
     */
    public record RopeScaling(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {}

    /** Reads {@code config.json}; an unknown architecture or a missing field names the file and the field. */
    public static ModelConfig read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException(file.getParent() + " is not a model directory: " + file.getFileName() + " is missing");
        }
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new ModelLoadException(file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(root, file.toString());
    }

    static ModelConfig parse(JsonNode root, String source) {
        String architecture = root.path("architectures").path(0).asText("");
        if (!ARCHITECTURES.contains(architecture)) {
            throw new ModelLoadException(source + ": architecture '" + architecture + "' is not supported; expected one of "
                    + String.join(", ", ARCHITECTURES.stream().sorted().toList()));
        }
        int hidden = required(root, "hidden_size", source);
        int heads = required(root, "num_attention_heads", source);
        int kvHeads = root.path("num_key_value_heads").asInt(heads);
        int headDim = root.hasNonNull("head_dim") ? root.get("head_dim").asInt() : hidden / heads;
        boolean qwen = architecture.equals("Qwen2ForCausalLM");
        try {
            return new ModelConfig(
                    architecture,
                    hidden,
                    required(root, "intermediate_size", source),
                    required(root, "num_hidden_layers", source),
                    heads,
                    kvHeads,
                    headDim,
                    required(root, "vocab_size", source),
                    root.path("max_position_embeddings").asInt(2048),
                    root.path("rms_norm_eps").asDouble(1e-6),
                    root.path("rope_theta").asDouble(10000.0),
                    ropeScaling(root.path("rope_scaling"), source),
                    root.path("tie_word_embeddings").asBoolean(false),
                    qwen || root.path("attention_bias").asBoolean(false),
                    root.path("mlp_bias").asBoolean(false),
                    root.path("use_sliding_window").asBoolean(!qwen) ? root.path("sliding_window").asInt(0) : 0,
                    root.path("bos_token_id").asInt(-1),
                    tokenIds(root.path("eos_token_id")));
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(source + ": " + e.getMessage(), e);
        }
    }

    private static int required(JsonNode root, String field, String source) {
        JsonNode node = root.get(field);
        if (node == null || !node.canConvertToInt() || node.asInt() <= 0) {
            throw new ModelLoadException(source + ": field " + field + " is missing or not a positive integer");
        }
        return node.asInt();
    }

    private static RopeScaling ropeScaling(JsonNode node, String source) {
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        String type = node.path("rope_type").asText(node.path("type").asText(""));
        if (type.equals("default")) {
            return null;
        }
        if (!type.equals("llama3")) {
            throw new ModelLoadException(source + ": rope_scaling type '" + type + "' is not supported; expected llama3");
        }
        return new RopeScaling(
                node.path("factor").asDouble(8.0),
                node.path("low_freq_factor").asDouble(1.0),
                node.path("high_freq_factor").asDouble(4.0),
                node.path("original_max_position_embeddings").asInt(8192));
    }

    private static List<Integer> tokenIds(JsonNode node) {
        List<Integer> ids = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> ids.add(n.asInt()));
        } else if (node.canConvertToInt()) {
            ids.add(node.asInt());
        }
        return ids;
    }

    /**
     * The weight shape {@code [out, in]} of a decoder layer's projection, by its checkpoint name: q/o
     * are {@code heads·head_dim} wide, k/v {@code kv_heads·head_dim} (grouped-query attention), the
     * MLP {@code intermediate_size}.
     */
    public long[] projectionShape(String module) {
        long q = (long) numHeads * headDim;
        long kv = (long) numKvHeads * headDim;
        return switch (module) {
            case "q_proj" -> new long[] {q, hiddenSize};
            case "k_proj", "v_proj" -> new long[] {kv, hiddenSize};
            case "o_proj" -> new long[] {hiddenSize, q};
            case "gate_proj", "up_proj" -> new long[] {intermediateSize, hiddenSize};
            case "down_proj" -> new long[] {hiddenSize, intermediateSize};
            default -> throw new IllegalArgumentException("'" + module + "' is not a projection of a decoder layer;"
                    + " expected q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj or down_proj");
        };
    }

    /** Query heads that share one key/value head. */
    public int groupSize() {
        return numHeads / numKvHeads;
    }
}
