package dev.loraplane.app;

import dev.loraplane.engine.model.ModelConfig;
import dev.loraplane.engine.model.ModelInfo;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show a model's architecture, parameter count and memory at fp32, bf16 and NF4, without loading it.")
final class ModelInfoCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "a model directory: config.json and model.safetensors (or a sharded index)")
    Path dir;

    @Override
    public void run() {
        ModelInfo info = ModelInfo.read(dir);
        ModelConfig c = info.config();
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%s  %s%n", dir, c.architecture());
        out.printf(Locale.ROOT, "  layers %d, hidden %d, MLP %d, heads %d (%d key/value, head_dim %d), vocab %d, context %d%n",
                c.numLayers(), c.hiddenSize(), c.intermediateSize(), c.numHeads(), c.numKvHeads(), c.headDim(),
                c.vocabSize(), c.maxPositions());
        out.printf(Locale.ROOT, "  rope_theta %s%s, %s embeddings%s%n", c.ropeTheta(),
                c.ropeScaling() == null ? "" : ", llama3 scaling ×" + c.ropeScaling().factor(),
                c.tieWordEmbeddings() ? "tied" : "untied",
                c.qkvBias() ? ", q/k/v bias" : "");
        out.printf(Locale.ROOT, "  parameters %,d (%,d in the projections LoRA adapts and NF4 quantizes), stored as %s%n",
                info.parameters(), info.projectionParameters(), info.storedDtypes());
        out.printf(Locale.ROOT, "  memory  fp32 %s   bf16 %s   NF4 %s (projections at %.3f bits, the rest bf16)%n",
                Bytes.human(info.bytesFp32()), Bytes.human(info.bytesBf16()), Bytes.human(info.bytesNf4()),
                ModelInfo.NF4_BITS);
    }
}
