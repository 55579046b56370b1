package dev.loraplane.serving.batch;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Which waiting requests join the batch at a step, with at most {@code maxAdapters} distinct adapters
 * active at once (vLLM's {@code max_loras}). Requests are taken in arrival order:
 *
 * <ul>
 *   <li>a base-model request joins while a row is free;
 *   <li>a request for an active adapter, or for a new one while fewer than {@code maxAdapters} are
 *       active, joins too;
 *   <li>a request for an adapter that does not fit waits, and from then on no younger request for an
 *       adapter joins: the active adapters drain, and the oldest waiting request's adapter takes the
 *       first adapter slot that frees.
 * </ul>
 *
 * So adapters rotate in the order they were asked for (LoRAX's adapter exchange) and none starves,
 * while base-model requests, which need no adapter slot, keep filling free rows. Adapters are told
 * apart by identity: a new version of an adapter is another adapter.
 */
final class AdmissionPolicy {

    private final int maxAdapters;

    AdmissionPolicy(int maxAdapters) {
        this.maxAdapters = maxAdapters;
    }

    /**
     * @param waiting the waiting requests, oldest first
     * @param adapterOf a request's adapter, or null for the base model
     * @param active the adapters of the rows running now, e.g. {@code LoraAdapter}s
     * @param freeRows rows free for this step
     * @return the requests to admit, oldest first
     */
    <T, A> List<T> admit(List<T> waiting, Function<T, A> adapterOf, Set<A> active, int freeRows) {
        Set<A> adapters = Collections.newSetFromMap(new IdentityHashMap<>());
        adapters.addAll(active);
        List<T> admitted = new ArrayList<>();
        boolean blocked = false;
        for (T request : waiting) {
            if (admitted.size() == freeRows) {
                break;
            }
            A adapter = adapterOf.apply(request);
            if (adapter == null) {
                admitted.add(request);
            } else if (!blocked && (adapters.contains(adapter) || adapters.size() < maxAdapters)) {
                adapters.add(adapter);
                admitted.add(request);
            } else {
                blocked = true;
            }
        }
        return admitted;
    }
}
