package dev.loraplane.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Expected values are what Python 3's {@code str} methods return. */
class PythonStringsTest {

    @Test
    void splitWithoutSeparatorSplitsOnWhitespaceRuns() {
        assertThat(PythonStrings.split("  a b  c ", null, 1)).containsExactly("a", "b  c ");
        assertThat(PythonStrings.split("", null, -1)).isEmpty();
        assertThat(PythonStrings.split(" \u3000 ", null, -1)).isEmpty();
    }

    @Test
    void splitOnASeparatorKeepsEmptyParts() {
        assertThat(PythonStrings.split("a,b,,c", ",", 2)).containsExactly("a", "b", ",c");
        assertThat(PythonStrings.split("", ",", -1)).containsExactly("");
        assertThat(PythonStrings.split("ab", "ab", -1)).containsExactly("", "");
        assertThat(PythonStrings.split("a.b", ".", -1)).as("a separator, not a regex").containsExactly("a", "b");
    }

    @Test
    void stripKnowsUnicodeSpacesOrTheGivenCharacters() {
        assertThat(PythonStrings.strip(" \u00a0x\u3000 ", null, true, true)).isEqualTo("x");
        assertThat(PythonStrings.strip("xxhixx", "x", true, true)).isEqualTo("hi");
        assertThat(PythonStrings.strip("\n\nhi\n", "\n", true, false)).isEqualTo("hi\n");
    }
}
