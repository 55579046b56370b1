package dev.loraplane.orchestrator.evals;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ChecksTest {

    @Test
    void exactIsCharacterForCharacterAndNormalizedIgnoresCaseEdgesAndSpacing() {
        assertThat(Checks.exactMatch("Paris.", "Paris.")).isTrue();
        assertThat(Checks.exactMatch(" Paris.", "Paris.")).isFalse();
        assertThat(Checks.normalizedMatch("  PARIS   is\tnice \n", "paris is nice")).isTrue();
        assertThat(Checks.normalizedMatch("Paris", "Paris.")).isFalse();
    }

    @Test
    void jsonValidityWantsExactlyOneValueAndRegexFindsAnywhere() {
        Checks checks = new Checks(true, Pattern.compile("^\\d{3}-\\d{4}$"));
        assertThat(checks.jsonValid(" {\"a\": [1, 2]} ")).isTrue();
        assertThat(checks.jsonValid("{\"a\": 1} trailing")).isFalse();
        assertThat(checks.jsonValid("{\"a\": ")).isFalse();
        assertThat(checks.jsonValid("")).isFalse();
        assertThat(checks.regexMatch("555-1234")).isTrue();
        assertThat(checks.regexMatch("call 555-1234")).isFalse();
        assertThat(Checks.NONE.jsonValid("{}")).as("not checked").isNull();
        assertThat(Checks.NONE.regexMatch("x")).isNull();
    }
}
