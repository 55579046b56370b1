package dev.loraplane.app;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loraplane.engine.generate.Generation;
import dev.loraplane.engine.generate.GenerationRequest;
import dev.loraplane.engine.generate.Generator;
import dev.loraplane.engine.generate.SamplingParams;
import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.lora.LoraBatch;
import dev.loraplane.engine.model.Adapters;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.model.Quantization;
import dev.loraplane.engine.tokenizer.ChatMessage;
import dev.loraplane.engine.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Generate a continuation with a base model, optionally through a LoRA adapter.")
final class ModelGenerateCommand implements Runnable {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "the base model directory")
    Path model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "a PEFT LoRA adapter directory to apply")
    Path adapter;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--prompt", paramLabel = "TEXT", description = "plain text to continue")
        String prompt;

        @Option(names = "--token-ids", paramLabel = "IDS", split = ",", description = "the prompt as token ids, e.g. 1,2,3")
        int[] tokenIds;

        @Option(names = "--chat", paramLabel = "TEXT", description = "a user message, formatted with the model's chat template")
        String chat;
    }

    @Option(names = "--system", paramLabel = "TEXT", description = "a system message before --chat")
    String system;

    @Option(names = "--greedy", description = "always take the most likely token (the default without --temperature)")
    boolean greedy;

    @Option(names = "--temperature", paramLabel = "T", description = "sample with this temperature (0 is greedy)")
    Double temperature;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1", description = "nucleus sampling mass (default: ${DEFAULT-VALUE})")
    double topP;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0", description = "sample among the K likeliest tokens; 0 is off")
    int topK;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "seed of the sampler (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "64", description = "most tokens to generate (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--stop", paramLabel = "TEXT", description = "stop when the output contains this text (repeatable)")
    List<String> stops = new ArrayList<>();

    @Option(names = "--quantize", paramLabel = "nf4", description = "keep the base projections in NF4, as QLoRA does")
    String quantize;

    @Option(names = "--json", description = "print {\"prompt_token_ids\", \"token_ids\", \"text\", \"finish_reason\"}")
    boolean json;

    @Override
    public void run() {
        if (greedy && temperature != null && temperature != 0) {
            throw new IllegalArgumentException("--greedy and --temperature " + temperature + " contradict each other");
        }
        if (system != null && input.chat == null) {
            throw new IllegalArgumentException("--system goes with --chat");
        }
        Tokenizer tokenizer = Files.exists(model.resolve(Tokenizer.FILE)) ? Tokenizer.load(model) : null;
        Quantization quantization = Quantization.NONE;
        if (quantize != null) {
            if (!quantize.equalsIgnoreCase("nf4")) {
                throw new IllegalArgumentException("--quantize '" + quantize + "' is not supported; expected nf4");
            }
            quantization = Quantization.NF4;
        }
        try (Llama llama = Llama.load(model, Device.cpu(), DataType.FLOAT32, quantization); NDManager scope = llama.manager().newSubManager()) {
            int[] prompt = promptIds(tokenizer);
            Set<Integer> stopIds = new HashSet<>(llama.config().eosTokenIds());
            if (tokenizer != null && tokenizer.eosTokenId() >= 0) {
                stopIds.add(tokenizer.eosTokenId());
            }
            SamplingParams sampling = new SamplingParams(maxTokens, temperature == null ? 0 : temperature, topP, topK,
                    seed, stopIds, stops);
            Generator generator = tokenizer == null ? new Generator(llama) : new Generator(llama, ids -> tokenizer.decode(ids, true));
            Generation generation;
            if (adapter != null) {
                try (LoraAdapter lora = LoraAdapter.fromCheckpoint(adapter.getFileName().toString(), adapter, llama);
                        LoraBatch batch = LoraBatch.single(lora, 1, scope)) {
                    generation = generator.generate(List.of(new GenerationRequest(prompt, sampling)), batch).get(0);
                }
            } else {
                generation = generator.generate(List.of(new GenerationRequest(prompt, sampling)), Adapters.NONE).get(0);
            }
            print(prompt, generation, tokenizer);
        } finally {
            if (tokenizer != null) {
                tokenizer.close();
            }
        }
    }

    private int[] promptIds(Tokenizer tokenizer) {
        if (input.tokenIds != null) {
            return input.tokenIds;
        }
        if (tokenizer == null) {
            throw new IllegalArgumentException(model + " has no " + Tokenizer.FILE + ", so it takes --token-ids only");
        }
        if (input.prompt != null) {
            return tokenizer.encode(input.prompt, true);
        }
        List<ChatMessage> messages = new ArrayList<>();
        if (system != null) {
            messages.add(ChatMessage.system(system));
        }
        messages.add(ChatMessage.user(input.chat));
        return tokenizer.encode(tokenizer.chatTemplate().render(messages, true), false);
    }

    private void print(int[] prompt, Generation generation, Tokenizer tokenizer) {
        String text = tokenizer == null ? null : tokenizer.decode(generation.tokenIds(), true);
        if (text != null && generation.stopString() != null) {
            text = text.substring(0, text.indexOf(generation.stopString()));
        }
        if (json) {
            ObjectNode out = JSON.createObjectNode();
            out.putPOJO("prompt_token_ids", prompt);
            out.putPOJO("token_ids", generation.tokenIds());
            out.put("text", text);
            out.put("finish_reason", generation.finishReason());
            spec.commandLine().getOut().println(out);
        } else if (text != null) {
            spec.commandLine().getOut().println(text);
        } else {
            spec.commandLine().getOut().println(java.util.Arrays.toString(generation.tokenIds()));
        }
    }
}
