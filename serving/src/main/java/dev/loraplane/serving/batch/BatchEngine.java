package dev.loraplane.serving.batch;

import dev.loraplane.engine.generate.Generator;
import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.model.KvCache;
import dev.loraplane.engine.model.Llama;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous (iteration-level) batching on one thread of its own. At every step, waiting requests
 * join free rows (prefilled together, then copied into the shared cache, see {@code BatchRows}),
 * every running row decodes one token, and finished or cancelled rows leave. Rows for different
 * adapters and for the base model decode in the same step through one {@code LoraBatch}:
 *
 * <pre>
 * Semantics, per step and projection W of the base model:
 *   y[i] = x[i] · Wᵀ + (adapter[i] == none ? 0 : scaling · (x[i] · A[i]ᵀ) · B[i]ᵀ)   for each row i
 * </pre>
 *
 * Each row's arithmetic is its arithmetic alone (its own positions, its own masked columns, its own
 * adapter), so a greedy request produces the same tokens alone or in any mix; only the order of
 * floating-point sums may differ with the batch's shape. Which requests join is the
 * {@code AdmissionPolicy}'s choice: arrival order, at most {@link BatchConfig#maxAdaptersPerStep()}
 * distinct adapters per step, none starving. The waiting queue is bounded; {@link #submit} refuses a
 * request beyond it with {@link QueueFullException}. Closing cancels what is left and stops the thread.
 */
public final class BatchEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BatchEngine.class);
    private static final Object CLOSE_SIGNAL = new Object();
    /**
     * The most tokens, padding included, one prefill pass takes (vLLM's {@code
     * max_num_batched_tokens}): it bounds the attention scores a pass holds.
     */
    static final int PREFILL_TOKENS = 2048;

    private final Llama model;
    private final Generator.Decoder decoder;
    private final BatchConfig config;
    private final Consumer<StepStats> onStep;
    private volatile int regroups;
    private final AdmissionPolicy policy;
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    private final Thread thread;
    private final List<Sequence> waiting = new ArrayList<>();
    private volatile boolean closed;
    private volatile int running;
    private long steps;

    /**
     * @param decoder turns token ids into text for stop strings, or null to refuse requests that have any
     * @param onStep told of every decode step, on the engine's thread
     */
    public BatchEngine(Llama model, Generator.Decoder decoder, BatchConfig config, Consumer<StepStats> onStep) {
        this.model = model;
        this.decoder = decoder;
        this.config = config;
        this.onStep = onStep;
        this.policy = new AdmissionPolicy(config.maxAdaptersPerStep());
        this.thread = new Thread(this::loop, "loraplane-batch");
        thread.setDaemon(true);
        thread.start();
    }

    public BatchEngine(Llama model, Generator.Decoder decoder, BatchConfig config) {
        this(model, decoder, config, stats -> {});
    }

    /**
     * Queues a request and returns at once.
     *
     * @throws QueueFullException when {@link BatchConfig#queueCapacity()} requests already wait
     * @throws IllegalArgumentException when the prompt does not fit the context, holds a token
     *     outside the vocabulary, or asks for stop strings without a decoder
     */
    public SequenceHandle submit(SequenceRequest request) {
        int p = request.promptTokenIds().length;
        if (p > config.capacity()) {
            throw new IllegalArgumentException("the prompt has " + p + " tokens; the context holds " + config.capacity());
        }
        int vocab = model.config().vocabSize();
        for (int id : request.promptTokenIds()) {
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("prompt token id " + id + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        if (decoder == null && !request.sampling().stopStrings().isEmpty()) {
            throw new IllegalArgumentException("stop strings need a tokenizer to decode the output; this engine has none");
        }
        if (closed) {
            throw new IllegalStateException("the batch engine is closed");
        }
        if (queued.incrementAndGet() > config.queueCapacity()) {
            queued.decrementAndGet();
            throw new QueueFullException(config.queueCapacity());
        }
        Sequence s = new Sequence(request, ids.incrementAndGet());
        inbox.add(s);
        if (closed) {
            cancelArrived(); // the loop may have ended before this request arrived
        }
        return s.handle;
    }

    /** Sequences in the batch now. */
    public int running() {
        return running;
    }

    /** Requests waiting for a row now. */
    public int waiting() {
        return queued.get();
    }

    public BatchConfig config() {
        return config;
    }

    private void loop() {
        try (BatchRows rows = new BatchRows(model, config)) {
            try {
                while (collect(rows)) {
                    dropCancelled(rows);
                    admit(rows);
                    for (Sequence s : rows.makeRoom()) {
                        s.complete(Completion.LENGTH);
                    }
                    running = rows.running().size();
                    if (running > 0) {
                        decode(rows);
                    }
                }
                for (Sequence s : rows.running()) {
                    s.complete(Completion.CANCELLED);
                }
            } catch (RuntimeException e) {
                LOG.error("the batch engine stopped", e);
                closed = true;
                for (Sequence s : rows.running()) {
                    s.fail(e);
                }
                queued.addAndGet(-waiting.size());
                waiting.forEach(s -> s.fail(e));
                waiting.clear();
            }
        } finally {
            closed = true;
            running = 0;
            queued.addAndGet(-waiting.size());
            waiting.forEach(s -> s.complete(Completion.CANCELLED));
            waiting.clear();
            cancelArrived();
        }
    }

    /** Cancels requests still in the inbox once the loop has ended. */
    private void cancelArrived() {
        for (Object o; (o = inbox.poll()) != null;) {
            if (o instanceof Sequence s) {
                queued.decrementAndGet();
                s.complete(Completion.CANCELLED);
            }
        }
    }

    /**
     * Moves new requests to the waiting list, blocking while there is nothing to do; woken from
     * idle, it takes the rest of a burst too ({@link BatchConfig#burstWindow}).
     *
     * @return false once the engine is closing
     */
    private boolean collect(BatchRows rows) {
        List<Object> arrived = new ArrayList<>();
        if (waiting.isEmpty() && rows.running().isEmpty()) {
            try {
                arrived.add(inbox.take());
                long window = config.burstWindow().toNanos();
                long end = System.nanoTime() + BatchConfig.MAX_BURST_WINDOWS * window;
                for (long now = System.nanoTime(); now < end && !arrived.contains(CLOSE_SIGNAL); now = System.nanoTime()) {
                    Object next = inbox.poll(Math.min(window, end - now), TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    arrived.add(next);
                    inbox.drainTo(arrived);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        inbox.drainTo(arrived);
        boolean open = true;
        for (Object o : arrived) {
            if (o instanceof Sequence s) {
                waiting.add(s);
            } else {
                open = false;
            }
        }
        return open;
    }

    private void dropCancelled(BatchRows rows) {
        for (Iterator<Sequence> it = waiting.iterator(); it.hasNext();) {
            Sequence s = it.next();
            if (s.handle.isCancelled()) {
                it.remove();
                queued.decrementAndGet();
                s.complete(Completion.CANCELLED);
            }
        }
        for (Sequence s : rows.running()) {
            if (s.handle.isCancelled()) {
                rows.leave(s);
                s.complete(Completion.CANCELLED);
            }
        }
    }

    /**
     * Prefills the requests the policy admits and puts those that go on into rows. Prompts are
     * prefilled together, shortest first, in forward passes of at most {@link #PREFILL_TOKENS}
     * padded tokens (one prompt longer than that goes alone). Within a pass, and so in the rows they
     * take, prompts for one adapter lie next to each other: {@code LoraBatch} applies adapters to
     * such runs of rows as they lie, without gathering them.
     */
    private void admit(BatchRows rows) {
        List<Sequence> admitted = policy.admit(waiting, Sequence::adapter, rows.adapters(), rows.free());
        List<Sequence> prompts = new ArrayList<>();
        for (Sequence s : admitted) {
            waiting.remove(s);
            queued.decrementAndGet();
            s.admitted();
            if (s.request.sampling().maxTokens() == 0) {
                s.complete(Completion.LENGTH);
            } else {
                prompts.add(s);
            }
        }
        prompts.sort(Comparator.comparingInt(Sequence::promptLength));
        int from = 0;
        for (int to = 1; to <= prompts.size(); to++) {
            if (to == prompts.size() || (to + 1 - from) * prompts.get(to).promptLength() > PREFILL_TOKENS) {
                prefill(rows, groupedByAdapter(prompts.subList(from, to)));
                from = to;
            }
        }
        if (!prompts.isEmpty() && rows.regroup()) {
            regroups++;
        }
    }

    /** Times the running rows were reseated by adapter after requests joined. */
    int regroups() {
        return regroups;
    }

    /** The prompts, those of one adapter next to each other, adapters in order of first appearance. */
    private static List<Sequence> groupedByAdapter(List<Sequence> prompts) {
        Map<LoraAdapter, Integer> order = new IdentityHashMap<>(); // the base model's key is null
        for (Sequence s : prompts) {
            order.putIfAbsent(s.adapter(), order.size());
        }
        List<Sequence> grouped = new ArrayList<>(prompts);
        grouped.sort(Comparator.comparingInt(s -> order.get(s.adapter())));
        return grouped;
    }

    private void prefill(BatchRows rows, List<Sequence> prompts) {
        int vocab = model.config().vocabSize();
        int longest = prompts.stream().mapToInt(Sequence::promptLength).max().orElseThrow();
        try (KvCache together = rows.cacheFor(prompts.size(), longest)) {
            float[] logits;
            long start = System.nanoTime();
            try {
                logits = rows.prefill(prompts, together);
            } catch (RuntimeException e) {
                LOG.warn("prefill failed for {} requests: {}", prompts.size(), e.toString());
                prompts.forEach(s -> s.fail(e));
                return;
            }
            long pass = System.nanoTime() - start;
            long tokens = prompts.stream().mapToLong(Sequence::promptLength).sum();
            prompts.forEach(s -> s.prefilled(pass * s.promptLength() / tokens));
            for (int i = 0; i < prompts.size(); i++) {
                Sequence s = prompts.get(i);
                String finish = s.accept(logits, i * vocab, vocab, decoder);
                if (finish != null) {
                    s.complete(finish);
                } else if (s.handle.isCancelled()) {
                    s.complete(Completion.CANCELLED);
                } else {
                    rows.join(s, together, i);
                }
            }
        }
    }

    /** One decode step of every running row; a failure fails the rows of that step. */
    private void decode(BatchRows rows) {
        List<Sequence> batch = rows.running();
        float[] logits;
        try {
            logits = rows.decode();
        } catch (RuntimeException e) {
            LOG.error("decode step failed for {} sequences", batch.size(), e);
            for (Sequence s : batch) {
                rows.leave(s);
                s.fail(e);
            }
            return;
        }
        try {
            onStep.accept(new StepStats(++steps, batch.size(), rows.adapters().size(), queued.get(), rows.columns()));
        } catch (RuntimeException e) {
            LOG.warn("the step listener failed: {}", e.toString());
        }
        int vocab = model.config().vocabSize();
        for (Sequence s : batch) {
            String finish = s.accept(logits, s.row * vocab, vocab, decoder);
            if (finish != null) {
                rows.leave(s);
                s.complete(finish);
            }
        }
        running = rows.running().size();
    }

    /** Stops taking requests, cancels those waiting or running, and waits for the thread to end. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        inbox.add(CLOSE_SIGNAL);
        if (Thread.currentThread() == thread) {
            return; // closed by a listener: the loop ends after this step
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        cancelArrived(); // submitted while the loop was ending
    }
}
