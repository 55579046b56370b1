package dev.loraplane.app;

import dev.loraplane.engine.lora.LoraConfig;
import dev.loraplane.engine.train.JobSpec;
import dev.loraplane.engine.train.TrainingEvent;
import dev.loraplane.engine.train.TrainingJob;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Fine-tune a LoRA adapter on a JSONL training file.",
            "",
            "QLoRA with --quantize nf4. Shows a progress bar (step, loss, tokens/s, ETA) at a terminal, plain",
            "lines otherwise."
        })
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "the base model directory")
    Path model;

    @Option(names = "--train", required = true, paramLabel = "FILE", description = "training examples (JSONL: chat, completion, alpaca or text)")
    Path train;

    @Option(names = "--validation", paramLabel = "FILE", description = "validation examples; without it none are held out")
    Path validation;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where to write the adapter (PEFT layout)")
    Path out;

    @Option(names = "--epochs", defaultValue = "3", description = "passes over the data (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--learning-rate", defaultValue = "2e-4", description = "AdamW's peak learning rate (default: ${DEFAULT-VALUE})")
    double learningRate;

    @Option(names = "--batch-size", defaultValue = "4", description = "packed rows per step (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--rank", defaultValue = "16", description = "LoRA rank r (default: ${DEFAULT-VALUE})")
    int rank;

    @Option(names = "--alpha", description = "LoRA alpha (default: 2 × rank)")
    Double alpha;

    @Option(names = "--target-modules", split = ",", paramLabel = "LIST",
            description = "projections to adapt (default: all of q,k,v,o,gate,up,down _proj)")
    List<String> targetModules = LoraConfig.MODULES;

    @Option(names = "--quantize", paramLabel = "nf4", description = "QLoRA: keep the base in NF4")
    String quantize;

    @Option(names = "--max-seq-len", defaultValue = "512", description = "packed row length (default: ${DEFAULT-VALUE})")
    int maxSeqLen;

    @Option(names = "--seed", defaultValue = "0", description = "data order and dropout seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() {
        if (quantize != null && !quantize.equalsIgnoreCase("nf4")) {
            throw new IllegalArgumentException("--quantize '" + quantize + "' is not supported; expected nf4");
        }
        JobSpec job = new JobSpec("local", model, train, validation, out, null, null,
                new JobSpec.Hyperparameters(epochs, 0, batchSize, 1, learningRate, 0, "cosine", 0, 1.0, 0, 0, seed),
                new JobSpec.Lora(rank, alpha == null ? 2.0 * rank : alpha, 0.05, targetModules, false),
                quantize == null ? "none" : "nf4", maxSeqLen, false, 0);
        PrintWriter outWriter = spec.commandLine().getOut();
        boolean terminal = System.console() != null;
        ProgressBar[] bar = new ProgressBar[1];
        TrainingJob.Result result;
        try {
            result = (TrainingJob.Result) new TrainingJob(job).run(event -> {
                if (event instanceof TrainingEvent.Started s) {
                    outWriter.printf(Locale.ROOT, "training %d steps on %d examples (%,d tokens, %,d trained), %s%n",
                            s.totalSteps(), s.train().keptExamples(), s.train().tokens(), s.train().trainedTokens(),
                            quantize == null ? "LoRA" : "QLoRA (NF4 base)");
                    outWriter.flush();
                    if (terminal) {
                        bar[0] = new ProgressBarBuilder().setTaskName("train").setInitialMax(s.totalSteps())
                                .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUpdateIntervalMillis(250)
                                .setMaxRenderedLength(120).build();
                    }
                } else if (event instanceof TrainingEvent.Progress p) {
                    String message = String.format(Locale.ROOT, "loss %.4f · lr %.2e · %.0f tok/s", p.loss(), p.learningRate(),
                            p.tokensPerSecond());
                    if (bar[0] != null) {
                        bar[0].stepTo(p.step());
                        bar[0].setExtraMessage(message);
                    } else {
                        outWriter.printf(Locale.ROOT, "step %d/%d  %s  elapsed %s  eta %s%n", p.step(), p.totalSteps(), message,
                                duration(p.elapsedSeconds()), duration(p.etaSeconds()));
                        outWriter.flush();
                    }
                } else if (event instanceof TrainingEvent.Eval e) {
                    if (bar[0] == null) {
                        outWriter.printf(Locale.ROOT, "step %d  eval loss %.4f%n", e.step(), e.evalLoss());
                    }
                }
            });
        } finally {
            if (bar[0] != null) {
                bar[0].close();
            }
        }
        outWriter.printf(Locale.ROOT, "adapter written to %s (sha256 %s): %d steps, final loss %.4f%s%n",
                result.adapter(), result.sha256().substring(0, 12), result.steps(), result.finalLoss(),
                result.finalEvalLoss() == null ? "" : String.format(Locale.ROOT, ", eval loss %.4f", result.finalEvalLoss()));
        return 0;
    }

    private static String duration(double seconds) {
        Duration d = Duration.ofSeconds(Math.round(seconds));
        return d.toMinutes() > 0 ? d.toMinutes() + "m" + String.format(Locale.ROOT, "%02ds", d.toSecondsPart()) : d.toSeconds() + "s";
    }
}
