package dev.loraplane.engine.model;

import ai.djl.ndarray.NDArray;

/**
 * A scalar operand that stays valid for the backward pass.
 *
 * <p>DJL's {@code x.mul(2.0)} creates the scalar tensor over a Java direct buffer ({@code from_blob})
 * and closes it as soon as the op returns. Autograd keeps that tensor for the backward pass of
 * {@code mul} and {@code div}, but once closed nothing holds the buffer, so a garbage collection
 * between forward and backward frees memory libtorch then reads: the loss turns NaN at a random
 * step. A scalar made here belongs to {@code like}'s manager (and any open {@code NDScope}) and
 * lives until they close, after the backward pass.
 */
public final class Scalar {

    private Scalar() {}

    /** {@code value} as a float32 scalar owned by {@code like}'s manager. */
    public static NDArray of(NDArray like, double value) {
        return like.getManager().create((float) value);
    }
}
