package dev.loraplane.engine.model;

import ai.djl.ndarray.NDArray;

/** A base projection {@code y = x Wᵀ + b}, whatever form its weight is kept in. */
public interface Linear {

    /** Applies the projection to the last axis of {@code x}: {@code [..., in] → [..., out]}. */
    NDArray forward(NDArray x);

    int inFeatures();

    int outFeatures();

    /** Bytes the weight and bias hold in memory. */
    long residentBytes();
}
