package dev.loraplane.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The model commands as a person runs them. */
class ModelCommandTest {

    @TempDir
    Path tmp;

    private final Cli cli = new Cli();
    private final StringWriter out = cli.out;
    private final StringWriter err = cli.err;

    private int run(String... args) {
        return cli.run(args);
    }

    @Test
    void initWritesAModelThatInfoDescribesAndGenerateRuns() throws Exception {
        Path dir = tmp.resolve("tiny");
        assertThat(run("model", "init", "--preset", "tiny", "--out", dir.toString(), "--seed", "1")).isZero();
        assertThat(out.toString()).contains("wrote loraplane-tiny");
        assertThat(dir.resolve("tokenizer_config.json")).exists();

        assertThat(run("model", "info", dir.toString())).isZero();
        assertThat(out.toString()).contains("LlamaForCausalLM", "layers 4", "parameters 854,400", "NF4");

        assertThat(run("model", "generate", "--model", dir.toString(), "--chat", "Hi", "--system", "Be brief.",
                "--max-tokens", "5", "--json")).as(err.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        String prompt = "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n";
        assertThat(json.get("prompt_token_ids").size()).as("one token per byte or special token").isEqualTo(
                prompt.replace("<|im_start|>", "S").replace("<|im_end|>", "E").length());
        assertThat(json.get("token_ids").size()).isBetween(1, 5);
        assertThat(json.get("text").isTextual()).isTrue();
        assertThat(json.get("finish_reason").asText()).isIn("stop", "length");
    }

    @Test
    void generateOnTheReferenceModelGivesRunCsGreedyTokens() throws Exception {
        Path model = dev.loraplane.app.SharedData.require("models/stories260K-hf");
        JsonNode golden = new ObjectMapper().readTree(dev.loraplane.app.SharedData.require("golden/stories260K-golden.json").toFile())
                .get("greedy").get(1);
        StringBuilder ids = new StringBuilder();
        golden.get("prompt").forEach(id -> ids.append(ids.length() == 0 ? "" : ",").append(id.asInt()));
        assertThat(run("model", "generate", "--model", model.toString(), "--token-ids", ids.toString(),
                "--greedy", "--max-tokens", "48", "--json")).as(err.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.get("token_ids")).isEqualTo(golden.get("continuation"));
        assertThat(json.get("text").isNull()).isTrue();
    }

    @Test
    void generateWithAnNf4BaseRuns() throws Exception {
        Path model = dev.loraplane.app.SharedData.require("models/stories260K-hf");
        assertThat(run("model", "generate", "--model", model.toString(), "--token-ids", "1,421,69",
                "--quantize", "nf4", "--max-tokens", "8", "--json")).as(err.toString()).isZero();
        assertThat(new ObjectMapper().readTree(out.toString()).get("token_ids").size()).isEqualTo(8);
        assertThat(run("model", "generate", "--model", model.toString(), "--token-ids", "1", "--quantize", "int8")).isEqualTo(1);
        assertThat(err.toString()).contains("--quantize 'int8' is not supported; expected nf4");
    }

    @Test
    void benchForwardReportsEveryFigureItPromises() throws Exception {
        assertThat(run("bench", "forward", "--preset", "tiny", "--batches", "1,16", "--prompt-tokens", "4",
                "--decode-steps", "2", "--json")).as(err.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        for (String key : new String[] {"decode_tokens_per_s_b1", "decode_tokens_per_s_b16", "prefill_tokens_per_s_b16",
                "nf4_decode_tokens_per_s_b16", "nf4_bits_per_param", "resident_bytes", "nf4_resident_bytes",
                "decode_b16_over_b1", "nf4_over_full_decode_b16"}) {
            assertThat(json.get(key)).as(key).isNotNull();
            assertThat(json.get(key).asDouble()).as(key).isPositive();
        }
        assertThat(json.get("nf4_bits_per_param").asDouble()).isLessThanOrEqualTo(4.13);
        assertThat(json.get("nf4_resident_bytes").asLong()).isLessThan(json.get("resident_bytes").asLong());
    }

    @Test
    void benchApiReportsCreatesPerSecondAndLatencies() throws Exception {
        assertThat(run("bench", "api", "--jobs", "40", "--lists", "10", "--concurrency", "4", "--json")).as(err.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        for (String key : new String[] {"creates_per_s", "create_p50_ms", "create_p99_ms", "list_p50_ms", "list_p99_ms"}) {
            assertThat(json.get(key).asDouble()).as(key).isPositive();
        }
        assertThat(json.get("create_p99_ms").asDouble()).isGreaterThanOrEqualTo(json.get("create_p50_ms").asDouble());
    }

    @Test
    void badInputIsOneLineNamingTheProblem() {
        assertThat(run("model", "info", tmp.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("loraplane model info: " + tmp + " is not a model directory: config.json is missing")
                .doesNotContain("Exception");
        assertThat(run("model", "init", "--preset", "huge", "--out", tmp.resolve("x").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("--preset 'huge' is not a preset");
        assertThat(run("model", "generate", "--model", tmp.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--prompt", "--token-ids", "--chat");
    }

    @Test
    void anAdapterOnTheCommandLineChangesTheOutput() throws Exception {
        Path dir = tmp.resolve("tiny");
        run("model", "init", "--out", dir.toString());
        Files.createDirectories(tmp.resolve("adapter"));
        assertThat(run("model", "generate", "--model", dir.toString(), "--adapter", tmp.resolve("adapter").toString(),
                "--prompt", "x")).isEqualTo(1);
        assertThat(err.toString()).contains("adapter_config.json");
    }
}
