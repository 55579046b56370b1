package dev.loraplane.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/** The SwiGLU feed-forward block: {@code down(silu(gate(x)) · up(x))}, {@code silu(g) = g·σ(g)}. */
final class Mlp {

    private Mlp() {}

    static NDArray forward(NDArray x, LayerWeights w, Adapters adapters, int layer) {
        NDArray gate = adapters.project(layer, "gate_proj", w.gateProj(), x);
        NDArray up = adapters.project(layer, "up_proj", w.upProj(), x);
        return adapters.project(layer, "down_proj", w.downProj(), gate.mul(Activation.sigmoid(gate)).mul(up));
    }
}
