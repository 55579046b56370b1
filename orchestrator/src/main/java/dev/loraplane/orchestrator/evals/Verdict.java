package dev.loraplane.orchestrator.evals;

import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * The report's answer in plain words. The adapter wins only when the 95% interval of its lead over
 * the prompt lies above zero; when the interval holds zero the prompt is within noise, and the
 * advice is to keep it ("start with prompts; fine-tune when you have evidence").
 *
 * @param decision {@value #FINE_TUNE}, {@value #KEEP_PROMPT} or {@value #NO_COMPARISON}
 * @param text one sentence
 */
public record Verdict(String decision, String text) {

    public static final String FINE_TUNE = "fine_tune";
    public static final String KEEP_PROMPT = "prompt_is_enough";
    public static final String NO_COMPARISON = "no_comparison";

    /**
     * @param lead the adapter's figure minus the prompt's, with the paired bootstrap interval
     */
    public static Verdict decide(Metric metric, VariantSummary prompt, VariantSummary adapter, Bootstrap.Estimate lead,
            BreakEven breakEven) {
        String figures = " (" + metric.words() + " " + percent(adapter.value(metric)) + " vs " + percent(prompt.value(metric)) + ")";
        if (lead.low() > 0) {
            String cost;
            if (breakEven.queriesPerMonth() != null) {
                cost = " and pays for itself above " + volume(breakEven.queriesPerMonth()) + " queries/month";
            } else if (breakEven.savingUsdPerQuery() <= 0) {
                cost = " but its queries cost " + usd(-breakEven.savingUsdPerQuery() * 1e6) + " more per 1M, so it never pays back"
                        + " its training: fine-tune for the quality, not the cost";
            } else {
                cost = " and saves " + usd(breakEven.savingUsdPerQuery() * 1e6) + " per 1M queries; its training cost is unknown,"
                        + " so there is no break-even";
            }
            return new Verdict(FINE_TUNE, "The adapter is " + points(lead.value()) + " points more accurate" + figures + cost + ".");
        }
        if (lead.high() < 0) {
            return new Verdict(KEEP_PROMPT, "The prompt is " + points(-lead.value()) + " points more accurate than the adapter"
                    + figures + ": the prompt is enough; keep the prompt.");
        }
        return new Verdict(KEEP_PROMPT, "The prompt is within noise of the adapter" + figures + ", a lead of "
                + signedPoints(lead.value()) + " points with a 95% interval of " + signedPoints(lead.low()) + " to "
                + signedPoints(lead.high()) + ": the prompt is enough; keep the prompt.");
    }

    /** No adapter, or no base-model variant, to set against each other: only the best is named. */
    public static Verdict noComparison(Metric metric, VariantSummary best) {
        return new Verdict(NO_COMPARISON, "There is no prompt-engineered base model and adapter pair to compare; the best variant"
                + " is " + best.name() + " at " + percent(best.value(metric)) + " " + metric.words() + ".");
    }

    static String percent(double share) {
        return String.format(Locale.ROOT, "%.0f%%", share * 100);
    }

    static String points(double share) {
        return String.format(Locale.ROOT, "%.0f", share * 100);
    }

    static String signedPoints(double share) {
        return String.format(Locale.ROOT, "%+.0f", share * 100);
    }

    static String usd(double amount) {
        return amount >= 100 ? String.format(Locale.ROOT, "$%,.0f", amount)
                : String.format(Locale.ROOT, "$%.4g", amount);
    }

    /** A volume as people say it: 950, 12K, 240K, 3.4M. */
    static String volume(double queries) {
        String[] units = {"", "K", "M", "B", "T"};
        int unit = 0;
        double v = Math.ceil(queries);
        while (v >= 1000 && unit < units.length - 1) {
            v /= 1000;
            unit++;
        }
        return (v < 10 && unit > 0 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.0f", v)) + units[unit];
    }

    public JsonObject toJson() {
        return new JsonObject().put("decision", decision).put("text", text);
    }
}
