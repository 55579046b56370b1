package dev.loraplane.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** {@code loraplane bench serve} as a person runs it, small: every figure it promises, none of them timed here. */
class ServeBenchCommandTest {

    private final Cli cli = new Cli();

    @Test
    void benchServeReportsEveryFigureItPromises() throws Exception {
        assertThat(cli.run("bench", "serve", "--preset", "tiny", "--concurrency", "8", "--max-tokens", "4", "--naive-groups", "2", "--repeat", "1",
                "--json")).as(cli.err.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(cli.out.toString());
        for (String key : new String[] {"base_tokens_per_s", "mixed8_tokens_per_s",
                "one_adapter_at_a_time_tokens_per_s", "mixed8_vs_base", "mixed8_vs_one_at_a_time", "cold_load_ms_p50",
                "cold_load_ms_p99", "cached_acquire_us_p50", "cached_acquire_us_p99"}) {
            assertThat(json.get(key)).as(key).isNotNull();
            assertThat(json.get(key).asDouble()).as(key).isPositive();
        }
        assertThat(json.get("concurrency").asInt()).isEqualTo(8);
        assertThat(json.get("repeat").asInt()).isEqualTo(1);
    }
}
