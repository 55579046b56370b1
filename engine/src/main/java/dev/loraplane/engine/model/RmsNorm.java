package dev.loraplane.engine.model;

import ai.djl.ndarray.NDArray;

/** Root-mean-square layer norm: {@code w · x / sqrt(mean(x²) + eps)} over the last axis. */
final class RmsNorm {

    private RmsNorm() {}

    static NDArray forward(NDArray x, NDArray weight, double eps) {
        NDArray meanSquare = x.square().mean(new int[] {-1}, true);
        return x.div(meanSquare.add(eps).sqrt()).mul(weight);
    }
}
