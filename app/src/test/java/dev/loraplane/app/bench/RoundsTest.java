package dev.loraplane.app.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RoundsTest {

    @Test
    void aCaseIsComparedWithTheReferenceOfItsOwnRound() {
        // The machine halves its speed after the first round; the case is 0.9x the reference throughout.
        Rounds rounds = new Rounds(new double[][] {{100, 50, 50}, {90, 45, 45}});
        assertThat(rounds.ratio(1)).isCloseTo(0.9, within(1e-12));
        assertThat(rounds.median(0)).isEqualTo(50);
        assertThat(rounds.median(1)).isEqualTo(45);
    }

    @Test
    void aRoundThatDriftedBetweenTwoCasesDoesNotMoveTheRatio() {
        // Round 2 slowed down between the reference and the case; the other rounds say 0.9.
        Rounds rounds = new Rounds(new double[][] {{100, 100, 100, 100}, {90, 90, 40, 90}});
        assertThat(rounds.ratio(1)).isCloseTo(0.9, within(1e-12));
        assertThat(rounds.median(1)).isEqualTo(90);
        assertThat(rounds.ratio(0)).isEqualTo(1);
    }
}
