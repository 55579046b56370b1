package dev.loraplane.engine.lora;

import java.util.List;
import java.util.Set;

/**
 * A LoRA adapter's hyperparameters, as PEFT's {@code LoraConfig} names them.
 *
 * @param r the rank
 * @param alpha {@code lora_alpha}; the update is scaled by {@code alpha / r}, or {@code alpha / √r}
 *     with rsLoRA
 * @param dropout {@code lora_dropout}, applied to the adapter's input during training only
 * @param targetModules the projections adapted: any of q/k/v/o_proj, gate/up/down_proj
 * @param useRslora rank-stabilized scaling
 * @param baseModelNameOrPath the base model the adapter was trained on, or an empty string
 */
public record LoraConfig(int r, double alpha, double dropout, List<String> targetModules, boolean useRslora,
        String baseModelNameOrPath) {

    /** The modules of a Llama-family decoder layer that LoRA can target. */
    public static final List<String> MODULES =
            List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    public LoraConfig {
        targetModules = List.copyOf(targetModules);
        if (r <= 0) {
            throw new LoraException("r must be a positive integer, got " + r);
        }
        if (!(alpha > 0)) {
            throw new LoraException("lora_alpha must be positive, got " + alpha);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new LoraException("lora_dropout must be in [0, 1), got " + dropout);
        }
        if (targetModules.isEmpty()) {
            throw new LoraException("target_modules is empty; expected some of " + String.join(", ", MODULES));
        }
        for (String module : targetModules) {
            if (!MODULES.contains(module)) {
                throw new LoraException("target_modules names '" + module + "'; expected some of " + String.join(", ", MODULES));
            }
        }
        if (Set.copyOf(targetModules).size() != targetModules.size()) {
            throw new LoraException("target_modules lists a module twice: " + targetModules);
        }
        baseModelNameOrPath = baseModelNameOrPath == null ? "" : baseModelNameOrPath;
    }

    /** The block of the decoder layer that holds a module: {@code self_attn} or {@code mlp}. */
    public static String block(String module) {
        return module.startsWith("gate") || module.startsWith("up") || module.startsWith("down") ? "mlp" : "self_attn";
    }

    /** The factor the low-rank update is multiplied by. */
    public double scaling() {
        return useRslora ? alpha / Math.sqrt(r) : alpha / r;
    }
}
