package dev.loraplane.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.engine.generate.SamplingParams;
import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.lora.LoraConfig;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import dev.loraplane.serving.api.CompletionBackend;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 500 distinct adapters answer through one server, one request each: the adapter label of every series
 * stays within the configured cap (places go to the first adapters seen; with equal traffic no later one
 * passes them, see {@link AdapterLabelsTest}), the rest count as {@code other}, and nothing is lost from
 * the totals.
 */
class AdapterCardinalityTest {

    private static final int ADAPTERS = 500;
    private static final int CAP = 20;
    private static final Pattern ADAPTER = Pattern.compile("adapter=\"([^\"]*)\"");

    @TempDir
    Path dir;

    @Test
    void fiveHundredAdaptersKeepTheAdapterLabelUnderTheCap() throws Exception {
        Path tiny = dir.resolve("tiny");
        TinyModel.write(Preset.TINY, tiny, 0);
        Path weights = dir.resolve("adapter");
        try (Llama model = Llama.load(tiny); LoraAdapter adapter = LoraAdapter.initialize("a", new LoraConfig(4, 8, 0,
                List.of("q_proj", "v_proj"), false, Preset.TINY.modelName()), model, 1)) {
            adapter.save(weights);
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Serving serving = Serving.open(tiny, Preset.TINY.modelName(), null, (tenant, name) -> name,
                tenant -> List.<CompletionBackend.ModelCard>of(), registry,
                new Serving.Settings(32, 16, ADAPTERS, 16, 64, 64, Duration.ZERO, Duration.ZERO, CAP).withPrice(new DevicePrice("cpu", 0.10)))) {
            CompletionBackend backend = serving.backend();
            List<CompletableFuture<String>> done = new ArrayList<>();
            for (int i = 0; i < ADAPTERS; i++) {
                String name = "adapter-" + i;
                backend.loadAdapter(name, weights);
                done.add(generate(backend, name));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
            Thread.sleep(1100);   // one settle of the cost, so the adapter cost series exist too

            List<String> lines = registry.scrape().lines().filter(l -> !l.startsWith("#")).toList();
            Set<String> labels = new TreeSet<>();
            lines.forEach(l -> {
                Matcher m = ADAPTER.matcher(l);
                if (m.find()) {
                    labels.add(m.group(1));
                }
            });
            assertThat(labels).as("the first %d adapters to finish, then other", CAP).hasSize(CAP + 1).contains("other");
            long adapterSeries = lines.stream().filter(l -> l.contains("adapter=\"")).count();
            assertThat(adapterSeries).as("requests, tokens and cost per label").isEqualTo(3L * (CAP + 1));
            assertThat(lines).contains("loraplane_serving_adapter_requests_total{adapter=\"other\"} " + (double) (ADAPTERS - CAP),
                    "loraplane_serving_adapter_requests_total{adapter=\"" + labels.iterator().next() + "\"} 1.0");
            System.out.println("series in all after " + ADAPTERS + " adapters: " + lines.size() + ", with an adapter label: "
                    + adapterSeries);
        }
    }

    /** One token for adapter {@code name}; the future ends with the finish reason. */
    private static CompletableFuture<String> generate(CompletionBackend backend, String name) {
        CompletableFuture<String> finished = new CompletableFuture<>();
        backend.submit("acme", name, new int[] {1}, SamplingParams.greedy(1, Set.of()), new CompletionBackend.TokenSink() {
            @Override
            public void token(int tokenId) {
            }

            @Override
            public void finished(String finishReason, String stopString) {
                finished.complete(finishReason);
            }

            @Override
            public void failed(Throwable error) {
                finished.completeExceptionally(error);
            }
        }).exceptionally(error -> {
            finished.completeExceptionally(error);
            return null;
        });
        return finished;
    }
}
