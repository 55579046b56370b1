package dev.loraplane.serving.batch;

import dev.loraplane.engine.generate.Generator;
import dev.loraplane.engine.generate.Sampler;
import dev.loraplane.engine.generate.SamplingParams;
import dev.loraplane.engine.generate.StopStrings;
import dev.loraplane.engine.lora.LoraAdapter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's state of one request: its sampler, the tokens so far, its row and left pad in the
 * batch, and the times its tokens came. Touched only by the engine's thread after submission.
 */
final class Sequence {

    private static final Logger LOG = LoggerFactory.getLogger(Sequence.class);

    final SequenceRequest request;
    final SequenceHandle handle;
    private final Sampler sampler;
    private final int[] output;
    private final long submitted = System.nanoTime();
    private final List<Duration> gaps = new ArrayList<>();
    private int produced;
    private long admitted;
    private long firstToken;
    private long lastToken;
    private long prefillNanos;
    private String stopString;

    /** The batch row, or -1 while waiting. */
    int row = -1;
    /** The cache column of the first prompt token; columns before it are masked for this row. */
    int pad;

    Sequence(SequenceRequest request, long id) {
        this.request = request;
        this.handle = new SequenceHandle(id);
        this.sampler = new Sampler(request.sampling());
        this.output = new int[request.sampling().maxTokens()];
    }

    LoraAdapter adapter() {
        return request.adapter();
    }

    int promptLength() {
        return request.promptTokenIds().length;
    }

    /** The token to feed at the next step: the newest one. */
    int lastTokenId() {
        return output[produced - 1];
    }

    void admitted() {
        admitted = System.nanoTime();
    }

    /** Its share of the forward pass that prefilled it, in nanoseconds. */
    void prefilled(long shareNanos) {
        prefillNanos = shareNanos;
    }

    /**
     * Picks the next token from {@code logits[offset, offset + vocab)}, records it and tells the
     * listener.
     *
     * @return the finish reason when this token ended the sequence, else null
     */
    String accept(float[] logits, int offset, int vocab, Generator.Decoder decoder) {
        int token = sampler.next(logits, offset, vocab);
        long now = System.nanoTime();
        if (produced == 0) {
            firstToken = now;
        } else {
            gaps.add(Duration.ofNanos(now - lastToken));
        }
        lastToken = now;
        output[produced++] = token;
        notify(() -> request.listener().onToken(token));
        SamplingParams sampling = request.sampling();
        if (sampling.stopTokenIds().contains(token)) {
            return Completion.STOP;
        }
        if ((stopString = StopStrings.matched(sampling.stopStrings(), output, produced, decoder)) != null) {
            return Completion.STOP;
        }
        return produced == output.length ? Completion.LENGTH : null;
    }

    /** Ends the sequence: the listener's completion, then the handle's. */
    void complete(String finishReason) {
        long now = System.nanoTime();
        long start = admitted == 0 ? now : admitted;
        Timings timings = new Timings(Duration.ofNanos(start - submitted),
                Duration.ofNanos((produced == 0 ? now : firstToken) - submitted), Duration.ofNanos(now - submitted), gaps,
                Duration.ofNanos(prefillNanos));
        Completion completion = new Completion(Arrays.copyOf(output, produced), finishReason,
                Completion.STOP.equals(finishReason) ? stopString : null, promptLength(), timings);
        notify(() -> request.listener().onComplete(completion));
        handle.completion().complete(completion);
    }

    void fail(RuntimeException error) {
        notify(() -> request.listener().onFailure(error));
        handle.completion().completeExceptionally(error);
    }

    /** Runs a listener call; one that throws cancels the sequence, as a client that went away. */
    private void notify(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("request {}: the listener failed, cancelling: {}", handle.id(), e.toString());
            handle.cancel();
        }
    }
}
