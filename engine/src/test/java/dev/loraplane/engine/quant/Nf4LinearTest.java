package dev.loraplane.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.loraplane.engine.runtime.Torch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Nf4LinearTest {

    NDManager manager;

    @BeforeEach
    void open() {
        Torch.forceOffline();
        manager = NDManager.newBaseManager(Torch.ENGINE);
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void forwardIsTheLinearMapOfTheDequantizedWeight() {
        Nf4Linear linear = quantized(1408, 512, true, 5);
        NDArray x = manager.create(Nf4Tensors.gaussian(2 * 3 * 512, 6), new Shape(2, 3, 512));

        NDArray expected = ai.djl.nn.core.Linear.linear(x, linear.weight().dequantize(manager), linear.bias())
                .singletonOrThrow();
        NDArray actual = linear.forward(x);

        assertThat(actual.getShape()).isEqualTo(new Shape(2, 3, 1408));
        assertThat(maxAbsDifference(actual, expected)).isLessThanOrEqualTo(1e-6);
    }

    @Test
    void anAddendIsSummedIntoTheOutput() {
        Nf4Linear linear = quantized(1408, 512, true, 5);
        NDArray x = manager.create(Nf4Tensors.gaussian(2 * 3 * 512, 6), new Shape(2, 3, 512));
        NDArray addend = manager.create(Nf4Tensors.gaussian(2 * 3 * 1408, 7), new Shape(2, 3, 1408));

        NDArray expected = linear.forward(x).add(addend);
        // The addend in the output's shape, and as [rows, out].
        for (NDArray given : new NDArray[] {addend.duplicate(), addend.reshape(6, 1408).duplicate()}) {
            NDArray actual = linear.forward(x, given);

            assertThat(actual.getShape()).isEqualTo(new Shape(2, 3, 1408));
            assertThat(maxAbsDifference(actual, expected)).isLessThanOrEqualTo(1e-5);
        }
    }

    @Test
    void anInputWidthThatIsNotAMultipleOf64Works() {
        Nf4Linear linear = quantized(5, 37, false, 7);
        NDArray x = manager.create(Nf4Tensors.gaussian(4 * 37, 8), new Shape(4, 37));

        NDArray expected = x.matMul(linear.weight().dequantize(manager).transpose());

        assertThat(maxAbsDifference(linear.forward(x), expected)).isLessThanOrEqualTo(1e-6);
    }

    @Test
    void keepsOnlyTheCodesTheAbsmaxAndTheBias() {
        Nf4Linear linear = quantized(1408, 512, true, 9);

        // 360448 code bytes, 11264 absmax codes, 44 scales, the mean, a 1408-float bias.
        assertThat(linear.residentBytes()).isEqualTo(1408 * 512 / 2 + 1408 * 512 / 64 + 4 * 44 + 4 + 4 * 1408);
        assertThat(linear.inFeatures()).isEqualTo(512);
        assertThat(linear.outFeatures()).isEqualTo(1408);
    }

    @Test
    void aFloat16InputGetsAFloat16Output() {
        Nf4Linear linear = quantized(64, 128, false, 10);
        NDArray x = manager.create(Nf4Tensors.gaussian(3 * 128, 11), new Shape(3, 128));

        NDArray half = linear.forward(x.toType(DataType.FLOAT16, false));

        assertThat(half.getDataType()).isEqualTo(DataType.FLOAT16);
        NDArray full = linear.forward(x);
        assertThat(maxAbsDifference(half.toType(DataType.FLOAT32, false), full)).isLessThan(0.25);
    }

    /**
     * Autograd keeps the weight of {@code y = x Ŵᵀ} to compute {@code ∂L/∂x = ∂L/∂y · Ŵ}; a second
     * projection running before {@code backward} must not change what the first one kept.
     */
    @Test
    void gradientsThroughTwoProjectionsUseEachOnesOwnWeight() {
        Nf4Linear first = quantized(48, 32, false, 12);
        Nf4Linear second = quantized(16, 48, false, 13);
        NDArray x = manager.create(Nf4Tensors.gaussian(2 * 32, 14), new Shape(2, 32));
        x.setRequiresGradient(true);
        NDArray w1 = first.weight().dequantize(manager);
        NDArray w2 = second.weight().dequantize(manager);

        try (GradientCollector collector = Engine.getEngine(Torch.ENGINE).newGradientCollector()) {
            collector.backward(second.forward(first.forward(x)).sum());
        }
        NDArray gradient = x.getGradient();

        // L = Σ (x W1ᵀ) W2ᵀ, so ∂L/∂x = 1 · W2 · W1 for every row.
        NDArray expected = manager.ones(new Shape(2, 16)).matMul(w2).matMul(w1);
        assertThat(maxAbsDifference(gradient, expected)).isLessThanOrEqualTo(1e-5);
    }

    private Nf4Linear quantized(int out, int in, boolean bias, long seed) {
        NDArray w = manager.create(Nf4Tensors.gaussian(out * in, seed), new Shape(out, in)).mul(0.02);
        NDArray b = bias ? manager.create(Nf4Tensors.gaussian(out, seed + 100), new Shape(out)) : null;
        return Nf4Linear.quantize(w, b);
    }

    static double maxAbsDifference(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }
}
