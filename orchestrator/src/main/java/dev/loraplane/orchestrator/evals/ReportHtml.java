package dev.loraplane.orchestrator.evals;

import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * The report as one self-contained HTML page: no script, no fetched style or font, so it opens the
 * same from the control plane, from a downloaded file, or in a mail.
 */
public final class ReportHtml {

    private static final String STYLE = """
            body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1b1f24}
            h1{font-size:1.4rem}#verdict{font-size:1.15rem;padding:.8rem 1rem;border-radius:6px;background:#eef6ee;border:1px solid #9c9}
            #verdict.prompt_is_enough{background:#eef2fa;border-color:#99b}table{border-collapse:collapse;margin:1rem 0;width:100%}
            th,td{border-bottom:1px solid #ddd;padding:.35rem .6rem;text-align:right}th:first-child,td:first-child{text-align:left}
            th{background:#f4f4f4}.ci{color:#666;font-size:.85em}.note{color:#555;font-size:.9em}""";

    private ReportHtml() {}

    /** The page for eval {@code id}'s report (the JSON of {@link EvalReport#toJson}). */
    public static String render(String id, JsonObject report) {
        JsonObject verdict = report.getJsonObject("verdict");
        String metric = report.getString("metric");
        StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(escape("Eval " + id + ": fine-tune or prompt")).append("</title><style>").append(STYLE)
                .append("</style></head><body>\n<h1>").append(escape("Eval " + id + ": fine-tune or prompt?")).append("</h1>\n")
                .append("<p id=\"verdict\" class=\"").append(escape(verdict.getString("decision"))).append("\">")
                .append(escape(verdict.getString("text"))).append("</p>\n");
        html.append("<table id=\"variants\"><thead><tr><th>variant</th><th>model</th>");
        JsonObject first = report.getJsonArray("variants").getJsonObject(0).getJsonObject("quality");
        first.fieldNames().forEach(k -> html.append("<th>").append(escape(k.replace('_', ' '))).append(k.equals(metric) ? " ★" : "")
                .append("</th>"));
        html.append("<th>perplexity</th><th>prompt tokens</th><th>completion tokens</th><th>latency (s)</th>"
                + "<th>USD per 1M queries</th><th>training USD</th></tr></thead><tbody>\n");
        for (int i = 0; i < report.getJsonArray("variants").size(); i++) {
            JsonObject v = report.getJsonArray("variants").getJsonObject(i);
            html.append("<tr><td>").append(escape(v.getString("name"))).append("</td><td>").append(escape(v.getString("model")))
                    .append(v.getBoolean("adapter") ? " (adapter)" : "").append("</td>");
            JsonObject quality = v.getJsonObject("quality");
            for (String k : first.fieldNames()) {
                JsonObject q = quality.getJsonObject(k);
                html.append("<td>").append(percent(q.getDouble("value"))).append(" <span class=\"ci\">[")
                        .append(percent(q.getDouble("ci_low"))).append("–").append(percent(q.getDouble("ci_high")))
                        .append("]</span></td>");
            }
            Double training = v.getDouble("training_cost_usd");
            html.append("<td>").append(number("%.3g", v.getDouble("perplexity"))).append("</td><td>")
                    .append(number("%.1f", v.getDouble("prompt_tokens"))).append("</td><td>")
                    .append(number("%.1f", v.getDouble("completion_tokens"))).append("</td><td>")
                    .append(number("%.3f", v.getDouble("latency_seconds"))).append("</td><td>")
                    .append(number("%.4g", v.getDouble("usd_per_1m_queries"))).append("</td><td>")
                    .append(training == null ? "–" : number("%.4g", training)).append("</td></tr>\n");
        }
        html.append("</tbody></table>\n");
        JsonObject comparison = report.getJsonObject("comparison");
        if (comparison != null) {
            JsonObject lead = comparison.getJsonObject("lead");
            JsonObject breakEven = comparison.getJsonObject("break_even");
            Double volume = breakEven.getDouble("queries_per_month");
            html.append("<table id=\"comparison\"><tbody>")
                    .append(row("adapter", comparison.getString("adapter_variant")))
                    .append(row("prompt", comparison.getString("prompt_variant")))
                    .append(row("adapter's lead (" + metric.replace('_', ' ') + ")", number("%+.1f", lead.getDouble("value") * 100)
                            + " points, 95% CI " + number("%+.1f", lead.getDouble("ci_low") * 100) + " to "
                            + number("%+.1f", lead.getDouble("ci_high") * 100)))
                    .append(row("saving per 1M queries", "$" + number("%.4g", breakEven.getDouble("saving_usd_per_query") * 1e6)))
                    .append(row("break-even volume", volume == null ? "none"
                            : Verdict.volume(volume) + " queries/month (payback within "
                                    + months(breakEven.getDouble("payback_months")) + ")"))
                    .append("</tbody></table>\n");
        }
        JsonObject serving = report.getJsonObject("serving");
        html.append("<p class=\"note\">").append(escape(report.getInteger("examples") + " examples; "
                + report.getInteger("disagreements") + " on which the variants disagree; 95% intervals from "
                + report.getJsonObject("bootstrap").getInteger("resamples") + " bootstrap resamples (seed "
                + report.getJsonObject("bootstrap").getLong("seed") + "). Serving measured on " + serving.getString("device") + " at $"
                + number("%.4g", serving.getDouble("usd_per_device_hour")) + "/device-hour: "
                + number("%.3g", serving.getDouble("seconds_per_prompt_token") * 1000) + " ms per prompt token, "
                + number("%.3g", serving.getDouble("seconds_per_completion_token") * 1000) + " ms per generated token."))
                .append("</p>\n</body></html>\n");
        return html.toString();
    }

    private static String row(String name, String value) {
        return "<tr><th>" + escape(name) + "</th><td>" + escape(value) + "</td></tr>";
    }

    private static String months(double months) {
        String n = months == Math.rint(months) ? String.valueOf((long) months) : number("%.3g", months);
        return n + (months == 1 ? " month" : " months");
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f%%", share * 100);
    }

    private static String number(String format, double value) {
        return String.format(Locale.ROOT, format, value);
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
