package dev.loraplane.orchestrator.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Allocated against effective cost of an attempt: two H100s at $3.60 an hour, half busy then fully busy. */
class AttemptCostTest {

    @Test
    void effectiveCostIsDeviceTimeTimesMeasuredUtilizationAndAllocatedIsBilledOnce() {
        AttemptCost cost = new AttemptCost(3.60, 2, 0, 0, null);
        assertThat(cost.effectiveUsd()).as("nothing measured yet").isNull();

        assertThat(cost.measured(0.5, 1_000_000)).isCloseTo(1.0, within(1e-9));   // 1000 s × 2 devices × $0.001/s × 0.5
        assertThat(cost.measured(1.0, 1_500_000)).isCloseTo(1.0, within(1e-9));   // 500 s × 2 × $0.001 × 1.0
        assertThat(cost.effectiveUsd()).isCloseTo(2.0, within(1e-9));
        assertThat(cost.allocatedUsd(1_500_000)).isCloseTo(3.0, within(1e-9));

        assertThat(cost.unbilledDeviceSeconds(1_000_000)).isEqualTo(2000.0);
        assertThat(cost.unbilledDeviceSeconds(1_500_000)).isEqualTo(1000.0);
        assertThat(cost.unbilledDeviceSeconds(1_500_000)).as("billed already").isZero();
        assertThat(cost.usd(1000)).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void anAttemptReattachedAfterARestartBillsOnFromWhereTheCountersWereLeft() {
        AttemptCost resumed = new AttemptCost(3.60, 2, 0, 1_000_000, 0.75);   // billed to 1000 s, $0.75 of it effective
        assertThat(resumed.unbilledDeviceSeconds(1_500_000)).as("500 s × 2 devices, not from the start").isEqualTo(1000.0);
        assertThat(resumed.measured(1.0, 1_500_000)).as("measured from 1000 s on").isCloseTo(1.0, within(1e-9));
        assertThat(resumed.effectiveUsd()).isCloseTo(1.75, within(1e-9));
        assertThat(resumed.allocatedUsd(1_500_000)).as("the attempt's whole time").isCloseTo(3.0, within(1e-9));
        assertThat(resumed.billedUntil()).isEqualTo(1_500_000);
    }
}
