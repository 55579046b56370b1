package dev.loraplane.app.serve;

import dev.loraplane.engine.generate.SamplingParams;
import dev.loraplane.engine.tokenizer.Tokenizer;
import dev.loraplane.orchestrator.evals.EvalBackend;
import dev.loraplane.serving.ReferenceScorer;
import dev.loraplane.serving.api.CompletionBackend;
import dev.loraplane.serving.batch.Completion;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Evals on the serving layer of this process: answers come from the batch engine through the same
 * backend as {@code /v1/chat/completions} (so eval requests share batches with everyone's), scores
 * from serving's reference scorer, each under the tenant's own adapter names.
 */
final class ServingEvals implements EvalBackend {

    private final CompletionBackend backend;
    private final ReferenceScorer scorer;
    private final String deviceType;
    private final String deviceProduct;

    ServingEvals(CompletionBackend backend, ReferenceScorer scorer, String deviceType, String deviceProduct) {
        this.backend = backend;
        this.scorer = scorer;
        this.deviceType = deviceType;
        this.deviceProduct = deviceProduct;
    }

    @Override
    public String baseModel() {
        return backend.baseModel();
    }

    @Override
    public Tokenizer tokenizer() {
        return backend.tokenizer();
    }

    @Override
    public int maxContext() {
        return backend.maxContext();
    }

    @Override
    public String deviceType() {
        return deviceType;
    }

    @Override
    public String deviceProduct() {
        return deviceProduct;
    }

    @Override
    public CompletableFuture<Answer> generate(String tenant, String model, int[] prompt, int maxTokens) {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        Tokenizer tokenizer = backend.tokenizer();
        backend.submit(tenant, model, prompt, SamplingParams.greedy(maxTokens, Set.of(tokenizer.eosTokenId())),
                new CompletionBackend.TokenSink() {
                    private Completion completion;

                    @Override
                    public void token(int tokenId) {}

                    @Override
                    public void accounted(Completion done) {
                        completion = done;
                    }

                    @Override
                    public void finished(String finishReason, String stopString) {
                        double queue = completion.timings().queue().toNanos() / 1e9;
                        answer.complete(new Answer(completion.tokenIds(), tokenizer.decode(completion.tokenIds(), true), finishReason,
                                completion.timings().endToEnd().toNanos() / 1e9 - queue,
                                completion.timings().prefill().toNanos() / 1e9));
                    }

                    @Override
                    public void failed(Throwable error) {
                        answer.completeExceptionally(error);
                    }
                }).whenComplete((running, error) -> {
                    if (error != null) {
                        answer.completeExceptionally(error);
                    }
                });
        return answer;
    }

    @Override
    public CompletableFuture<Score> score(String tenant, String model, int[] prompt, int[] reference) {
        return scorer.score(tenant, model, prompt, reference).thenApply(s -> new Score(s.tokens(), s.correct(), s.lossSum()));
    }
}
