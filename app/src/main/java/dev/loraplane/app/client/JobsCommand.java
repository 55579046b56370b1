package dev.loraplane.app.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "jobs", mixinStandardHelpOptions = true, description = "Create, watch and cancel fine-tuning jobs on the control plane.",
        subcommands = {JobsCommand.Create.class, JobsCommand.ListJobs.class, JobsCommand.Get.class, JobsCommand.Cancel.class,
            JobsCommand.Follow.class})
public final class JobsCommand implements Runnable {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static String line(JsonNode job) {
        String model = job.path("fine_tuned_model").isTextual() ? "  → " + job.get("fine_tuned_model").asText() : "";
        String error = job.path("error").isObject() ? "  (" + job.get("error").path("message").asText() + ")" : "";
        return String.format(Locale.ROOT, "%-32s %-17s %s%s%s", job.get("id").asText(), job.get("status").asText(),
                job.get("model").asText(), model, error);
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a fine-tuning job.")
    static final class Create implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        Connection connection;

        @Option(names = "--model", required = true, description = "the base model, e.g. loraplane-tiny")
        String model;

        @Option(names = "--training-file", required = true, paramLabel = "FILE_ID")
        String trainingFile;

        @Option(names = "--validation-file", paramLabel = "FILE_ID")
        String validationFile;

        @Option(names = "--suffix", description = "part of the adapter's name, ft:<model>:<suffix>:<id>")
        String suffix;

        @Option(names = "--epochs", description = "n_epochs (default: auto)")
        Integer epochs;

        @Option(names = "--seed")
        Long seed;

        @Option(names = "--rank", description = "LoRA rank (default: 16)")
        Integer rank;

        @Option(names = "--quantization", description = "nf4 (QLoRA, the default) or none")
        String quantization;

        @Override
        public void run() {
            ObjectNode body = JSON.createObjectNode().put("model", model).put("training_file", trainingFile);
            if (validationFile != null) {
                body.put("validation_file", validationFile);
            }
            if (suffix != null) {
                body.put("suffix", suffix);
            }
            if (seed != null) {
                body.put("seed", seed);
            }
            if (epochs != null) {
                body.putObject("method").put("type", "supervised").putObject("supervised").putObject("hyperparameters")
                        .put("n_epochs", epochs);
            }
            if (rank != null) {
                body.putObject("lora").put("r", rank);
            }
            if (quantization != null) {
                body.put("quantization", quantization);
            }
            spec.commandLine().getOut().println(line(connection.client().postJson("/fine_tuning/jobs", body.toString())));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List your jobs, newest first.")
    static final class ListJobs implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        Connection connection;

        @Option(names = "--limit", defaultValue = "20")
        int limit;

        @Override
        public void run() {
            for (JsonNode job : connection.client().get("/fine_tuning/jobs?limit=" + limit).get("data")) {
                spec.commandLine().getOut().println(line(job));
            }
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show one job as JSON.")
    static final class Get implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        Connection connection;

        @Parameters(paramLabel = "JOB_ID")
        String id;

        @Override
        public void run() {
            spec.commandLine().getOut().println(connection.client().get("/fine_tuning/jobs/" + id).toPrettyString());
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a job; its worker checkpoints and stops.")
    static final class Cancel implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        Connection connection;

        @Parameters(paramLabel = "JOB_ID")
        String id;

        @Override
        public void run() {
            spec.commandLine().getOut().println(line(connection.client().postJson("/fine_tuning/jobs/" + id + "/cancel", "")));
        }
    }

    @Command(name = "follow", mixinStandardHelpOptions = true,
            description = {"Follow a job's events until it ends: a progress bar at a terminal, lines otherwise.",
                "Exits 0 when the job succeeded, 1 otherwise."})
    static final class Follow implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Connection connection;

        @Parameters(paramLabel = "JOB_ID")
        String id;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            ApiClient client = connection.client();
            boolean terminal = System.console() != null;
            ProgressBar[] bar = new ProgressBar[1];
            try {
                client.stream("/fine_tuning/jobs/" + id + "/events?stream=true", event -> {
                    JsonNode data = event.path("data");
                    if (terminal && event.path("type").asText().equals("metrics") && data.has("total_steps")) {
                        if (bar[0] == null) {
                            bar[0] = new ProgressBarBuilder().setTaskName("train").setInitialMax(data.get("total_steps").asLong())
                                    .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).build();
                        }
                        bar[0].stepTo(data.get("step").asLong());
                        bar[0].setExtraMessage(String.format(Locale.ROOT, "loss %.4f", data.get("train_loss").asDouble()));
                    } else if (bar[0] == null || !event.path("type").asText().equals("metrics")) {
                        out.println(event.path("message").asText());
                        out.flush();
                    }
                });
            } finally {
                if (bar[0] != null) {
                    bar[0].close();
                }
            }
            JsonNode job = client.get("/fine_tuning/jobs/" + id);
            out.println(line(job));
            return job.get("status").asText().equals("succeeded") ? 0 : 1;
        }
    }
}
