package dev.loraplane.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code loraplane bench train} as a person runs it: every figure it promises, none of them timed here. */
class TrainBenchCommandTest {

    private final Cli cli = new Cli();
    private final StringWriter out = cli.out;
    private final StringWriter err = cli.err;

    private int run(String... args) {
        return cli.run(args);
    }

    @Test
    void benchTrainReportsEveryFigureItPromises() throws Exception {
        assertThat(run("bench", "train", "--preset", "tiny", "--steps", "2", "--seq-len", "32", "--batch-size", "2",
                "--json")).as(err.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        for (String key : new String[] {"lora_tokens_per_s", "qlora_tokens_per_s", "qlora_over_lora_tokens_per_s",
                "nf4_bits_per_param", "lora_peak_heap_bytes", "qlora_peak_heap_bytes", "resident_bytes", "nf4_resident_bytes"}) {
            assertThat(json.get(key)).as(key).isNotNull();
            assertThat(json.get(key).asDouble()).as(key).isPositive();
        }
        boolean proc = Files.isReadable(Path.of("/proc/self/status"));
        for (String key : new String[] {"lora_peak_rss_bytes", "qlora_peak_rss_bytes"}) {
            assertThat(json.get(key)).as(key).isNotNull();
            if (proc) {
                assertThat(json.get(key).asLong()).as(key).isPositive();
            } else {
                System.err.println("TrainBenchCommandTest: NOT CHECKED: " + key + " (no /proc/self/status here, so it is null)");
                assertThat(json.get(key).isNull()).as(key).isTrue();
            }
        }
        assertThat(json.get("nf4_bits_per_param").asDouble()).isLessThanOrEqualTo(4.13);
        assertThat(json.get("nf4_resident_bytes").asLong()).isLessThan(json.get("resident_bytes").asLong());
        assertThat(json.get("lora_final_loss").asDouble()).as("training ran on finite losses").isPositive();
    }

    @Test
    void theTableNamesBothRuns() {
        assertThat(run("bench", "train", "--preset", "tiny", "--steps", "1", "--warmup-steps", "0", "--seq-len", "16",
                "--batch-size", "1", "--rank", "4")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("qlora ", "lora ", "bits per quantized parameter", "qlora_over_lora_tokens_per_s");
    }

    @Test
    void onlyRunsTheOneRunItNames() throws Exception {
        assertThat(run("bench", "train", "--preset", "tiny", "--only", "qlora", "--steps", "1", "--seq-len", "16",
                "--batch-size", "1", "--json")).as(err.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.get("qlora_tokens_per_s").asDouble()).isPositive();
        assertThat(json.has("lora_tokens_per_s")).isFalse();
        assertThat(json.has("qlora_over_lora_tokens_per_s")).isFalse();
    }

    @Test
    void aRowLongerThanThePresetIsOneLineNamingTheLimit() {
        assertThat(run("bench", "train", "--preset", "tiny", "--seq-len", "4096")).isEqualTo(1);
        assertThat(err.toString()).contains("--seq-len 4096 does not fit the tiny preset; use 2 to 512")
                .doesNotContain("Exception");
        assertThat(run("bench", "train", "--preset", "huge")).isEqualTo(1);
        assertThat(err.toString()).contains("--preset 'huge' is not a preset");
        assertThat(run("bench", "train", "--preset", "tiny", "--only", "full")).isEqualTo(1);
        assertThat(err.toString()).contains("--only 'full' is not a run; expected lora or qlora");
    }
}
