package dev.loraplane.serving.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Admission on its own: requests named "id:adapter", "-" for the base model. */
class AdmissionPolicyTest {

    private static final AdmissionPolicy TWO = new AdmissionPolicy(2);

    private static String adapter(String request) {
        String a = request.substring(request.indexOf(':') + 1);
        return a.equals("-") ? null : a.intern();
    }

    private static List<String> admit(List<String> waiting, Set<String> active, int freeRows) {
        return TWO.admit(waiting, AdmissionPolicyTest::adapter, active, freeRows);
    }

    @Test
    void requestsJoinInArrivalOrderWhileRowsAreFree() {
        assertThat(admit(List.of("1:a", "2:-", "3:b", "4:a"), Set.of(), 3)).containsExactly("1:a", "2:-", "3:b");
    }

    @Test
    void anAdapterBeyondTheLimitWaitsAndYoungerAdapterRequestsWaitBehindIt() {
        // a and b are active; c does not fit, so the younger a request waits too and a, b drain.
        assertThat(admit(List.of("1:c", "2:a", "3:-", "4:b"), Set.of("a", "b"), 4)).containsExactly("3:-");
        // Older requests for active adapters still join before the blocked one.
        assertThat(admit(List.of("1:a", "2:c", "3:b"), Set.of("a", "b"), 4)).containsExactly("1:a");
        // Once b has drained, c takes its slot before any younger request for another adapter.
        assertThat(admit(List.of("1:c", "2:d", "3:a"), Set.of("a"), 4)).containsExactly("1:c");
    }

    @Test
    void everyAdapterGetsItsTurnUnderSteadyDemand() {
        // Six adapters, two slots, two rows; each admitted request runs exactly one step.
        List<String> waiting = new ArrayList<>();
        for (int i = 0; i < 18; i++) {
            waiting.add(i + ":" + "abcdef".charAt(i % 6));
        }
        List<String> order = new ArrayList<>();
        for (int step = 0; step < 18 && !waiting.isEmpty(); step++) {
            List<String> admitted = admit(waiting, Set.of(), 2);
            assertThat(admitted.stream().map(AdmissionPolicyTest::adapter).distinct()).hasSizeLessThanOrEqualTo(2);
            waiting.removeAll(admitted);
            order.addAll(admitted);
        }
        assertThat(waiting).isEmpty();
        assertThat(order).hasSize(18).startsWith("0:a", "1:b", "2:c", "3:d");
    }
}
