package dev.loraplane.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** A base projection {@code y = x Wᵀ + b}, whatever form its weight is kept in. */
public interface Linear {

    /** Applies the projection to the last axis of {@code x}: {@code [..., in] → [..., out]}. */
    NDArray forward(NDArray x);

    /**
     * {@code x Wᵀ + b + addend}, for an {@code addend} of the output's rows in order (a LoRA update):
     * where the projection can, the matmul adds it as it writes its output, rather than a second
     * pass over the output adding it afterwards.
     *
     * @param addend {@code [..., out]}, the output's shape or {@code [rows, out]}; consumed: it may
     *     be written to
     */
    default NDArray forward(NDArray x, NDArray addend) {
        NDArray y = forward(x);
        return y.addi(addend.reshape(y.getShape()));
    }

    int inFeatures();

    int outFeatures();

    /** Bytes the weight and bias hold in memory. */
    long residentBytes();

    /**
     * {@code x Wᵀ + b + addend} in one matmul: libtorch's {@code linear} on two-dimensional input
     * with a bias is {@code addmm}, whose output starts from the bias, here the addend plus {@code b}.
     *
     * @param weight {@code [out, in]}
     * @param bias {@code [out]}, or null
     * @param addend {@code [..., out]}, the output's shape or {@code [rows, out]}; consumed
     */
    static NDArray linear(NDArray x, NDArray weight, NDArray bias, NDArray addend) {
        Shape shape = x.getShape();
        long in = shape.get(shape.dimension() - 1);
        long out = weight.getShape().get(0);
        NDArray rows = addend.getShape().dimension() == 2 ? addend : addend.reshape(-1, out);
        NDArray start = bias == null ? rows : rows.addi(bias);
        NDArray y = ai.djl.nn.core.Linear.linear(x.reshape(-1, in), weight, start).singletonOrThrow();
        return y.reshape(shape.slice(0, shape.dimension() - 1).add(out));
    }
}
