package dev.loraplane.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loraplane.engine.runtime.Torch;
import org.junit.jupiter.api.Test;

class DenseLinearTest {

    @Test
    void anAddendIsSummedIntoTheOutputWithTheBias() {
        Torch.forceOffline();
        try (NDManager m = NDManager.newBaseManager(Torch.ENGINE)) {
            m.getEngine().setRandomSeed(3);
            for (boolean withBias : new boolean[] {true, false}) {
                DenseLinear linear = new DenseLinear(m.randomNormal(new Shape(48, 32)), withBias ? m.randomNormal(new Shape(48)) : null);
                for (Shape in : new Shape[] {new Shape(5, 32), new Shape(2, 3, 32), new Shape(4, 1, 32)}) {
                    NDArray x = m.randomNormal(in);
                    NDArray addend = m.randomNormal(in.slice(0, in.dimension() - 1).add(48));

                    NDArray expected = linear.forward(x).add(addend);
                    // The addend in the output's shape, and as [rows, out].
                    for (NDArray given : new NDArray[] {addend.duplicate(), addend.reshape(-1, 48).duplicate()}) {
                        NDArray actual = linear.forward(x, given);

                        assertThat(actual.getShape()).isEqualTo(expected.getShape());
                        assertThat(actual.sub(expected).abs().max().getFloat()).as("%s, bias %s", in, withBias).isLessThan(1e-5f);
                    }
                }
            }
        }
    }
}
