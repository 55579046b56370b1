package dev.loraplane.engine.model;

import ai.djl.ndarray.NDArray;

/**
 * A full-precision projection.
 *
 * @param weight {@code [out, in]}, as Hugging Face {@code nn.Linear} stores it
 * @param bias {@code [out]}, or null
 */
public record DenseLinear(NDArray weight, NDArray bias) implements Linear {

    @Override
    public NDArray forward(NDArray x) {
        return ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
    }

    @Override
    public NDArray forward(NDArray x, NDArray addend) {
        return Linear.linear(x, weight, bias, addend);
    }

    @Override
    public int inFeatures() {
        return (int) weight.getShape().get(1);
    }

    @Override
    public int outFeatures() {
        return (int) weight.getShape().get(0);
    }

    @Override
    public long residentBytes() {
        return weight.getShape().size() * weight.getDataType().getNumOfBytes()
                + (bias == null ? 0 : bias.getShape().size() * bias.getDataType().getNumOfBytes());
    }
}
