package dev.loraplane.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * AdamW (Loshchilov and Hutter) over the adapter's parameters, as PyTorch's {@code torch.optim.AdamW}:
 *
 * <pre>
 * m = β1·m + (1-β1)·g;   v = β2·v + (1-β2)·g²
 * p = p - lr·wd·p - lr · (m / (1-β1ᵗ)) / (√(v / (1-β2ᵗ)) + ε)
 * </pre>
 */
final class AdamW {

    static final double BETA1 = 0.9;
    static final double BETA2 = 0.999;
    static final double EPS = 1e-8;

    private final List<NDArray> parameters;
    private final List<NDArray> m = new ArrayList<>();
    private final List<NDArray> v = new ArrayList<>();
    private final double weightDecay;
    private final NDManager manager;
    private int t;

    AdamW(List<NDArray> parameters, double weightDecay, NDManager manager) {
        this.parameters = parameters;
        this.weightDecay = weightDecay;
        this.manager = manager;
        for (NDArray p : parameters) {
            m.add(manager.zeros(p.getShape(), p.getDataType()));
            v.add(manager.zeros(p.getShape(), p.getDataType()));
        }
    }

    /** Applies one update from the parameters' gradients, then zeroes the gradients. */
    void step(double lr) {
        t++;
        double c1 = 1 - Math.pow(BETA1, t);
        double c2 = 1 - Math.pow(BETA2, t);
        for (int i = 0; i < parameters.size(); i++) {
            NDArray p = parameters.get(i);
            try (NDArray g = p.getGradient()) {
                m.get(i).muli(BETA1).addi(g.mul(1 - BETA1));
                v.get(i).muli(BETA2).addi(g.square().muli(1 - BETA2));
                NDArray denominator = v.get(i).div(c2).sqrt().addi(EPS);
                NDArray update = m.get(i).div(c1).divi(denominator).muli(lr);
                if (weightDecay > 0) {
                    update.addi(p.mul(lr * weightDecay));
                }
                p.subi(update);   // the one in-place write to the parameter

                g.subi(g);
            }
        }
    }

    /** The global L2 norm of the gradients; scales them down to {@code max} when above it (0 = never). */
    double clipGradients(double max) {
        double sumSquares = 0;
        for (NDArray p : parameters) {
            try (NDArray g = p.getGradient()) {
                sumSquares += g.square().sum().getFloat();
            }
        }
        double norm = Math.sqrt(sumSquares);
        if (max > 0 && norm > max) {
            double scale = max / (norm + 1e-6);
            for (NDArray p : parameters) {
                try (NDArray g = p.getGradient()) {
                    g.muli(scale);
                }
            }
        }
        return norm;
    }

    int steps() {
        return t;
    }

    List<NDArray> firstMoments() {
        return m;
    }

    List<NDArray> secondMoments() {
        return v;
    }

    /** Restores the state a checkpoint saved. */
    void restore(int steps, List<float[]> firstMoments, List<float[]> secondMoments) {
        t = steps;
        for (int i = 0; i < parameters.size(); i++) {
            m.set(i, replace(m.get(i), firstMoments.get(i)));
            v.set(i, replace(v.get(i), secondMoments.get(i)));
        }
    }

    private NDArray replace(NDArray old, float[] values) {
        NDArray fresh = manager.create(values, old.getShape());
        old.close();
        return fresh;
    }
}
