package dev.loraplane.engine.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.loraplane.engine.model.Linear;

/**
 * A frozen projection kept in NF4, as QLoRA keeps the base model: {@code y = x Ŵᵀ + b}, where
 * {@code Ŵ} is the weight dequantized from its {@link Nf4Tensor} on every call (once per call,
 * whatever the batch) and dropped when the call returns. Only the codes, the quantized absmax
 * constants and the full-precision bias stay resident.
 *
 * <p>Outside autograd {@code Ŵ} lives in the calling thread's reusable buffer, which PyTorch reads in
 * place; under a gradient collector it gets a buffer of its own, because autograd keeps {@code Ŵ}
 * for the backward pass.
 *
 * @param weight {@code [out, in]}, quantized
 * @param bias {@code [out]} in the model's dtype, or null
 */
public record Nf4Linear(Nf4Tensor weight, NDArray bias) implements Linear {

    public Nf4Linear {
        if (weight.shape().dimension() != 2) {
            throw new IllegalArgumentException("a linear weight is [out, in], not " + weight.shape());
        }
    }

    /** Quantizes a full-precision {@code [out, in]} weight, then closes it; the bias is kept as it is. */
    public static Nf4Linear quantize(NDArray weight, NDArray bias) {
        Shape shape = weight.getShape();
        NDArray f32 = weight.toType(DataType.FLOAT32, false);
        float[] values = f32.toFloatArray();
        f32.close();
        weight.close();
        return new Nf4Linear(Nf4Tensor.quantize(values, shape), bias);
    }

    @Override
    public NDArray forward(NDArray x) {
        if (JniUtils.isGradMode()) {
            // Autograd keeps the weight for the backward pass, beyond this call and beyond the Java
            // handle: it gets memory that libtorch owns, not a borrowed (from_blob) buffer.
            NDArray owned;
            try (NDArray borrowed = weight.dequantizeTransient(x.getManager())) {
                owned = borrowed.duplicate();
            }
            return apply(x, owned);
        }
        try (NDArray w = weight.dequantizeTransient(x.getManager())) {
            return apply(x, w);
        }
    }

    @Override
    public NDArray forward(NDArray x, NDArray addend) {
        if (JniUtils.isGradMode() || x.getDataType() != DataType.FLOAT32) {
            NDArray y = forward(x);
            return y.addi(addend.reshape(y.getShape()));
        }
        try (NDArray w = weight.dequantizeTransient(x.getManager())) {
            return Linear.linear(x, w, bias, addend);
        }
    }

    private NDArray apply(NDArray x, NDArray w) {
        if (x.getDataType() == DataType.FLOAT32) {
            return ai.djl.nn.core.Linear.linear(x, w, bias).singletonOrThrow();
        }
        try (NDArray cast = w.toType(x.getDataType(), false)) {
            return ai.djl.nn.core.Linear.linear(x, cast, bias).singletonOrThrow();
        }
    }

    @Override
    public int inFeatures() {
        return (int) weight.shape().get(1);
    }

    @Override
    public int outFeatures() {
        return (int) weight.shape().get(0);
    }

    @Override
    public long residentBytes() {
        return weight.residentBytes()
                + (bias == null ? 0 : bias.getShape().size() * bias.getDataType().getNumOfBytes());
    }
}
