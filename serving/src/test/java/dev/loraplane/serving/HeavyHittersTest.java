package dev.loraplane.serving;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A table of 10 keys over 10,000 requests: 8,000 for different one-off keys, 2,000 for one busy key. */
class HeavyHittersTest {

    @Test
    void aKeyWithMoreThanATenthOfTheTrafficIsHeldAndItsCountIsNeverOverstated() {
        HeavyHitters table = new HeavyHitters(10);
        for (int i = 0; i < 10_000; i++) {
            table.add(i % 5 == 3 ? "busy" : "once-" + i);
        }
        assertThat(table.keys()).hasSize(10).contains("busy");
        assertThat(table.guaranteed("busy")).as("at most its 2,000, and short by at most 10,000 / 10")
                .isBetween(1_000L, 2_000L);
        assertThat(table.keys()).filteredOn(k -> !k.equals("busy")).allSatisfy(k -> assertThat(table.guaranteed(k))
                .as("a one-off key").isLessThanOrEqualTo(1L));

        table.decay(1);
        assertThat(table.guaranteed("busy")).isLessThanOrEqualTo(1_000L);
        table.decay(20);
        assertThat(table.keys()).as("all counts halved to zero").isEmpty();
    }
}
