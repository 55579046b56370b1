package dev.loraplane.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.norm.Dropout;
import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.model.Adapters;
import dev.loraplane.engine.model.Linear;
import dev.loraplane.engine.model.Scalar;
import java.util.ArrayList;
import java.util.List;

/**
 * One adapter being trained: {@code y = base(x) + scaling · dropout(x)·Aᵀ·Bᵀ}, with gradients on A
 * and B only. The base weights never get gradients or optimizer state.
 */
final class TrainableLora implements Adapters {

    private final LoraAdapter adapter;
    private final List<NDArray> parameters = new ArrayList<>();
    private boolean training = true;

    TrainableLora(LoraAdapter adapter) {
        this.adapter = adapter;
        adapter.modules().entrySet().stream()
                .sorted(java.util.Map.Entry.comparingByKey(java.util.Comparator
                        .comparingInt(LoraAdapter.ModuleKey::layer).thenComparing(LoraAdapter.ModuleKey::module)))
                .forEach(e -> {
                    parameters.add(e.getValue().a());
                    parameters.add(e.getValue().b());
                });
        parameters.forEach(p -> p.setRequiresGradient(true));
    }

    /** A then B of every module, in a fixed order (layer, then module name). */
    List<NDArray> parameters() {
        return parameters;
    }

    LoraAdapter adapter() {
        return adapter;
    }

    /** Dropout applies in training only; evaluation and generation see the adapter whole. */
    void training(boolean on) {
        training = on;
    }

    @Override
    public NDArray project(int layer, String module, Linear base, NDArray x) {
        NDArray y = base.forward(x);
        LoraAdapter.LoraModule m = adapter.module(layer, module);
        if (m == null) {
            return y;
        }
        double dropout = adapter.config().dropout();
        NDArray input = training && dropout > 0 ? Dropout.dropout(x, (float) dropout, true).singletonOrThrow() : x;
        NDArray down = ai.djl.nn.core.Linear.linear(input, m.a()).singletonOrThrow();
        return y.add(ai.djl.nn.core.Linear.linear(down, m.b()).singletonOrThrow().mul(Scalar.of(x, adapter.config().scaling())));
    }
}
