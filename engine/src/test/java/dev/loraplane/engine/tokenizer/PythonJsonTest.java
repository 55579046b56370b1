package dev.loraplane.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Expected strings are Python 3's {@code json.dumps} output for the same values. */
class PythonJsonTest {

    @Test
    void oneLineUsesPythonsSeparatorsAndFloats() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("a", Arrays.asList(1, 2.5, null, true, "x\"\n\u00e9\u0001"));
        value.put("b", Map.of());
        value.put("c", List.of());
        value.put("d", 1e-05);
        value.put("e", 1e16);
        value.put("f", 123456789.125);
        value.put("g", -0.0);
        value.put("h", 0.1);
        assertThat(new PythonJson(false, -1, null, false).dumps(value)).isEqualTo(
                "{\"a\": [1, 2.5, null, true, \"x\\\"\\n\u00e9\\u0001\"], \"b\": {}, \"c\": [], \"d\": 1e-05,"
                        + " \"e\": 1e+16, \"f\": 123456789.125, \"g\": -0.0, \"h\": 0.1}");
    }

    @Test
    void indentedPutsOneItemPerLine() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("a", List.of(1, Map.of("k", "v")));
        value.put("b", Map.of());
        value.put("c", List.of());
        assertThat(new PythonJson(false, 2, null, false).dumps(value)).isEqualTo(
                "{\n  \"a\": [\n    1,\n    {\n      \"k\": \"v\"\n    }\n  ],\n  \"b\": {},\n  \"c\": []\n}");
    }

    @Test
    void ensureAsciiEscapesAllButPrintableAscii() {
        assertThat(new PythonJson(true, -1, null, false).dumps("\u00e9\u007f~")).isEqualTo("\"\\u00e9\\u007f~\"");
    }

    @Test
    void sortKeysAndSeparators() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("b", 1);
        value.put("a", 2);
        assertThat(new PythonJson(false, -1, List.of(",", ":"), true).dumps(value)).isEqualTo("{\"a\":2,\"b\":1}");
    }
}
