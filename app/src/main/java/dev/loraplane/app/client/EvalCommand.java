package dev.loraplane.app.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Measure prompt-engineered base models against fine-tuned adapters on held-out data: quality,"
                + " tokens, latency, serving cost and the break-even volume.",
        subcommands = {EvalCommand.Run.class, EvalCommand.ListEvals.class, EvalCommand.Show.class, EvalCommand.Results.class,
            EvalCommand.Html.class})
public final class EvalCommand implements Runnable {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A local file uploaded for evals, or a file id as it is. */
    static String fileId(ApiClient client, String fileOrId) {
        Path path = Path.of(fileOrId);
        return Files.isRegularFile(path) ? client.upload(path, "evals").get("id").asText() : fileOrId;
    }

    /** The report as a table: one row per variant, then the comparison and the verdict. */
    static void table(PrintWriter out, JsonNode report) {
        String metric = report.get("metric").asText();
        List<String> metrics = new ArrayList<>();
        report.get("variants").get(0).get("quality").fieldNames().forEachRemaining(metrics::add);
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-16s %-28s", "variant", "model"));
        for (String m : metrics) {
            head.append(String.format(Locale.ROOT, " %-22s", m.replace('_', ' ') + (m.equals(metric) ? " *" : "")));
        }
        head.append(String.format(Locale.ROOT, " %10s %9s %9s %9s %14s %11s", "perplexity", "prompt", "answer", "latency",
                "USD/1M queries", "training $"));
        out.println(head);
        for (JsonNode v : report.get("variants")) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-16s %-28s", v.get("name").asText(),
                    v.get("model").asText() + (v.get("adapter").asBoolean() ? " (adapter)" : "")));
            for (String m : metrics) {
                JsonNode q = v.get("quality").get(m);
                row.append(String.format(Locale.ROOT, " %-22s", String.format(Locale.ROOT, "%.1f%% [%.1f–%.1f]",
                        q.get("value").asDouble() * 100, q.get("ci_low").asDouble() * 100, q.get("ci_high").asDouble() * 100)));
            }
            row.append(String.format(Locale.ROOT, " %10.3g %9.1f %9.1f %8.3fs %14.4g %11s", v.get("perplexity").asDouble(),
                    v.get("prompt_tokens").asDouble(), v.get("completion_tokens").asDouble(), v.get("latency_seconds").asDouble(),
                    v.get("usd_per_1m_queries").asDouble(), v.get("training_cost_usd").isNull() ? "–"
                            : String.format(Locale.ROOT, "%.4g", v.get("training_cost_usd").asDouble())));
            out.println(row);
        }
        JsonNode c = report.get("comparison");
        if (c != null && !c.isNull()) {
            JsonNode lead = c.get("lead");
            JsonNode b = c.get("break_even");
            out.println();
            out.printf(Locale.ROOT, "%s vs %s: lead %+.1f points (95%% CI %+.1f to %+.1f), saving $%.4g per 1M queries, break-even %s%n",
                    c.get("adapter_variant").asText(), c.get("prompt_variant").asText(), lead.get("value").asDouble() * 100,
                    lead.get("ci_low").asDouble() * 100, lead.get("ci_high").asDouble() * 100,
                    b.get("saving_usd_per_query").asDouble() * 1e6, b.get("queries_per_month").isNull() ? "none"
                            : String.format(Locale.ROOT, "%.0f queries/month", b.get("queries_per_month").asDouble()));
        }
        out.println();
        out.println(report.get("verdict").get("text").asText());
        out.flush();
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Create an eval, follow it, and print its report as a table. Local files are uploaded first.",
                "Exits 0 when the eval succeeded, 1 otherwise.",
                "  loraplane eval run --dataset held-out.jsonl --variant few-shot=loraplane-tiny --few-shot few-shot=shots.jsonl \\",
                "      --system few-shot='Answer with the capital only.' --variant tuned=ft:loraplane-tiny:capitals:abc"})
    static final class Run implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Connection connection;

        @Option(names = "--dataset", required = true, paramLabel = "FILE|FILE_ID", description = "held-out examples (JSONL)")
        String dataset;

        @Option(names = "--variant", required = true, paramLabel = "NAME=MODEL",
                description = "a variant: the base model or an adapter; two or more, in order")
        LinkedHashMap<String, String> variants;

        @Option(names = "--system", paramLabel = "NAME=TEXT", description = "a variant's system prompt")
        Map<String, String> systems = Map.of();

        @Option(names = "--few-shot", paramLabel = "NAME=FILE|FILE_ID", description = "a variant's few-shot examples")
        Map<String, String> fewShots = Map.of();

        @Option(names = "--shots", paramLabel = "NAME=N", description = "how many few-shot examples a variant draws (default: 3)")
        Map<String, Integer> shots = Map.of();

        @Option(names = "--template", paramLabel = "NAME=TEXT", description = "a variant's template, holding {input}")
        Map<String, String> templates = Map.of();

        @Option(names = "--metric", description = "exact_match, normalized_match (default), token_accuracy, json_valid, regex_match")
        String metric;

        @Option(names = "--max-tokens", description = "the longest answer (default: 64)")
        Integer maxTokens;

        @Option(names = "--seed", description = "fixes few-shot draws and the bootstrap (default: random)")
        Long seed;

        @Option(names = "--json", description = "check that answers are valid JSON")
        boolean json;

        @Option(names = "--regex", description = "check that answers contain this pattern")
        String regex;

        @Override
        public Integer call() {
            ApiClient client = connection.client();
            PrintWriter out = spec.commandLine().getOut();
            ObjectNode body = JSON.createObjectNode().put("dataset", fileId(client, dataset));
            ArrayNode list = body.putArray("variants");
            for (Map.Entry<String, String> v : variants.entrySet()) {
                ObjectNode variant = list.addObject().put("name", v.getKey()).put("model", v.getValue());
                ObjectNode prompt = JSON.createObjectNode();
                if (systems.containsKey(v.getKey())) {
                    prompt.put("system", systems.get(v.getKey()));
                }
                if (fewShots.containsKey(v.getKey())) {
                    prompt.put("few_shot_file", fileId(client, fewShots.get(v.getKey())));
                    prompt.put("few_shot_count", shots.getOrDefault(v.getKey(), 3));
                }
                if (templates.containsKey(v.getKey())) {
                    prompt.put("template", templates.get(v.getKey()));
                }
                if (!prompt.isEmpty()) {
                    variant.set("prompt", prompt);
                }
            }
            if (metric != null) {
                body.put("metric", metric);
            }
            if (maxTokens != null) {
                body.put("max_tokens", maxTokens);
            }
            if (seed != null) {
                body.put("seed", seed);
            }
            if (json || regex != null) {
                ObjectNode checks = body.putObject("checks").put("json", json);
                if (regex != null) {
                    checks.put("regex", regex);
                }
            }
            String id = client.postJson("/evals", body.toString()).get("id").asText();
            out.println("eval " + id);
            out.flush();
            client.stream("/evals/" + id + "/events?stream=true", event -> {
                out.println(event.path("message").asText());
                out.flush();
            });
            return Show.print(client, id, out);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List your evals, newest first.")
    static final class ListEvals implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        Connection connection;

        @Option(names = "--limit", defaultValue = "20")
        int limit;

        @Override
        public void run() {
            for (JsonNode e : connection.client().get("/evals?limit=" + limit).get("data")) {
                JsonNode report = e.path("report");
                spec.commandLine().getOut().printf(Locale.ROOT, "%-30s %-10s %-30s %s%n", e.get("id").asText(),
                        e.get("status").asText(), e.path("fine_tuning_job_id").isTextual() ? e.get("fine_tuning_job_id").asText() : "",
                        e.path("name").isTextual() ? e.get("name").asText() : "");
            }
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = {"Print an eval's report as a table, or its status while it runs.", "Exits 0 when it succeeded."})
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Connection connection;

        @Parameters(paramLabel = "EVAL_ID")
        String id;

        @Override
        public Integer call() {
            return print(connection.client(), id, spec.commandLine().getOut());
        }

        static int print(ApiClient client, String id, PrintWriter out) {
            JsonNode eval = client.get("/evals/" + id);
            String status = eval.get("status").asText();
            if (!status.equals("succeeded")) {
                out.println("eval " + id + " is " + status + (eval.path("error").isObject()
                        ? ": " + eval.get("error").path("message").asText() : ""));
                out.flush();
                return 1;
            }
            table(out, eval.get("report"));
            return 0;
        }
    }

    @Command(name = "results", mixinStandardHelpOptions = true,
            description = "Print an eval's per-example results as JSONL: one line per example and variant.")
    static final class Results implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        Connection connection;

        @Parameters(paramLabel = "EVAL_ID")
        String id;

        @Option(names = "--disagreements", description = "only the examples on which the variants disagree")
        boolean disagreements;

        @Override
        public void run() {
            spec.commandLine().getOut().print(connection.client().getText("/evals/" + id + "/results"
                    + (disagreements ? "?disagreements=true" : "")));
            spec.commandLine().getOut().flush();
        }
    }

    @Command(name = "html", mixinStandardHelpOptions = true, description = "Download an eval's report as one self-contained HTML page.")
    static final class Html implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        Connection connection;

        @Parameters(paramLabel = "EVAL_ID")
        String id;

        @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE")
        Path out;

        @Override
        public void run() {
            try {
                Files.writeString(out, connection.client().getText("/evals/" + id + "/report.html"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
            }
            spec.commandLine().getOut().println("wrote " + out);
        }
    }
}
