package dev.loraplane.serving.batch;

import ai.djl.ndarray.NDManager;
import dev.loraplane.engine.generate.Generation;
import dev.loraplane.engine.generate.GenerationRequest;
import dev.loraplane.engine.generate.Generator;
import dev.loraplane.engine.generate.SamplingParams;
import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.lora.LoraBatch;
import dev.loraplane.engine.lora.LoraConfig;
import dev.loraplane.engine.model.Adapters;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import dev.loraplane.engine.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The tiny base model with its tokenizer, adapters whose B is non-zero (so each changes the answer),
 * and the reference: the engine's static {@link Generator} run on one request alone.
 */
final class TinyServing implements AutoCloseable {

    final Llama model;
    final Tokenizer tokenizer;
    final Generator.Decoder decoder;
    final List<LoraAdapter> adapters = new ArrayList<>();
    private final Generator generator;

    TinyServing(Path dir, int adapterCount) {
        TinyModel.write(Preset.TINY, dir, 3);
        model = Llama.load(dir);
        tokenizer = Tokenizer.load(dir);
        decoder = ids -> tokenizer.decode(ids, true);
        generator = new Generator(model, decoder);
        for (int i = 0; i < adapterCount; i++) {
            adapters.add(adapter("adapter-" + i, 2 << (i % 3), 100 + i));
        }
    }

    /** An adapter on every projection, A as PEFT initializes it and B drawn from N(0, 0.3²). */
    private LoraAdapter adapter(String name, int r, long seed) {
        LoraAdapter adapter = LoraAdapter.initialize(name, new LoraConfig(r, 2 * r, 0, LoraConfig.MODULES, false, ""),
                model, seed);
        SplittableRandom random = new SplittableRandom(seed);
        for (LoraAdapter.LoraModule m : adapter.modules().values()) {
            float[] b = new float[Math.toIntExact(m.b().size())];
            for (int j = 0; j < b.length; j++) {
                b[j] = (float) (random.nextGaussian() * 0.3);
            }
            m.b().set(b);
        }
        return adapter;
    }

    int[] prompt(String text) {
        return tokenizer.encode(text, true);
    }

    static SamplingParams greedy(int maxTokens) {
        return SamplingParams.greedy(maxTokens, Set.of());
    }

    /** What the static generator makes of one request alone, at batch 1. */
    Generation alone(int[] prompt, SamplingParams sampling, LoraAdapter adapter) {
        try (NDManager m = model.manager().newSubManager();
                LoraBatch lora = adapter == null ? null : LoraBatch.single(adapter, 1, m)) {
            return generator.generate(List.of(new GenerationRequest(prompt, sampling)), lora == null ? Adapters.NONE : lora)
                    .get(0);
        }
    }

    @Override
    public void close() {
        adapters.forEach(LoraAdapter::close);
        tokenizer.close();
        model.close();
    }
}
