package dev.loraplane.orchestrator.evals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvalReportTest {

    private static final Bootstrap BOOTSTRAP = new Bootstrap(1000, 11);

    /** {@code n} results of which the first {@code right} are right, each with these token counts. */
    private static List<ExampleResult> results(String variant, int n, int right, int promptTokens, int completionTokens) {
        List<ExampleResult> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean ok = i < right;
            out.add(new ExampleResult(i, variant, ok ? "Zusin." : "zz", "Zusin.", "stop", promptTokens, completionTokens, 0.02,
                    0.001 * promptTokens, 0.05, ok, ok, 7, ok ? 7 : 2, ok ? 0.7 : 14.0, null, null));
        }
        return out;
    }

    private static ServingRates rates() {
        // 0.1 ms per prompt token, 2 ms per generated token, at $3.60 a device-hour: $0.001 per device-second.
        return new ServingRates("cpu", 3.6, 1e-4, 2e-3);
    }

    @Test
    void servingRatesComeFromPrefillTimeAndTheRestOfTheRunsWallTime() {
        List<ExampleResult> all = new ArrayList<>(results("a", 10, 5, 200, 10));
        all.addAll(results("b", 10, 5, 20, 10));
        ServingRates measured = ServingRates.measured(all, "cpu", 0.10);
        // prefill 0.001 s per prompt token; wall 20 × 0.05 = 1 s, of which 2.2 s prefill → decode clamps at 0
        assertThat(measured.secondsPerPromptToken()).isCloseTo(0.001, within(1e-12));
        assertThat(measured.secondsPerCompletionToken()).isZero();
        assertThat(rates().usdPerQuery(100, 10)).isCloseTo((100 * 1e-4 + 10 * 2e-3) * 3.6 / 3600, within(1e-18));
    }

    @Test
    void anAdapterClearlyAheadWithShorterPromptsPaysForItselfAboveItsBreakEvenVolume() {
        // prompt: 500 prompt tokens, 10 generated → (0.05 + 0.02) s → $7e-5; adapter: 100 prompt tokens → $3e-5.
        // saving $4e-5 per query; training $9.60 → 240,000 queries a month repay it.
        EvalReport report = EvalReport.compute(Metric.NORMALIZED_MATCH, List.of(
                new EvalReport.VariantResults("few-shot", "loraplane-tiny", false, null, results("few-shot", 50, 20, 500, 10)),
                new EvalReport.VariantResults("adapter", "ft:x", true, 9.6, results("adapter", 50, 45, 100, 10))),
                BOOTSTRAP, rates(), 1);
        VariantSummary prompt = report.variants().get(0);
        VariantSummary adapter = report.variants().get(1);
        assertThat(prompt.value(Metric.NORMALIZED_MATCH)).isEqualTo(0.4);
        assertThat(adapter.value(Metric.NORMALIZED_MATCH)).isEqualTo(0.9);
        assertThat(prompt.usdPerMillionQueries()).isCloseTo(70, within(1e-9));
        assertThat(adapter.usdPerMillionQueries()).isCloseTo(30, within(1e-9));
        assertThat(adapter.quality().get("token_accuracy").value()).isCloseTo((45 * 7 + 5 * 2) / 350.0, within(1e-12));
        assertThat(adapter.meanLoss()).isCloseTo((45 * 0.7 + 5 * 14.0) / 350, within(1e-12));
        assertThat(adapter.perplexity()).isCloseTo(Math.exp(adapter.meanLoss()), within(1e-12));
        assertThat(report.comparison().lead().value()).isCloseTo(0.5, within(1e-12));
        assertThat(report.comparison().lead().low()).isPositive();
        assertThat(report.comparison().breakEven().queriesPerMonth()).isCloseTo(240_000, within(1e-3));
        assertThat(report.verdict().decision()).isEqualTo(Verdict.FINE_TUNE);
        assertThat(report.verdict().text()).isEqualTo("The adapter is 50 points more accurate (normalized match 90% vs 40%)"
                + " and pays for itself above 240K queries/month.");
        assertThat(report.disagreements()).isEqualTo(25);
        JsonObject json = report.toJson();
        assertThat(json.getJsonObject("comparison").getJsonObject("break_even").getDouble("queries_per_month"))
                .isCloseTo(240_000, within(1e-3));
        assertThat(json.getJsonArray("variants").getJsonObject(1).getJsonObject("quality").getJsonObject("normalized_match")
                .getDouble("value")).isEqualTo(0.9);
    }

    @Test
    void aPromptWithinNoiseOfTheAdapterIsEnough() {
        EvalReport report = EvalReport.compute(Metric.NORMALIZED_MATCH, List.of(
                new EvalReport.VariantResults("prompt", "loraplane-tiny", false, null, results("prompt", 30, 27, 300, 10)),
                new EvalReport.VariantResults("adapter", "ft:x", true, 0.01, results("adapter", 30, 28, 50, 10))),
                BOOTSTRAP, rates(), 1);
        assertThat(report.comparison().lead().low()).isLessThanOrEqualTo(0);
        assertThat(report.verdict().decision()).isEqualTo(Verdict.KEEP_PROMPT);
        assertThat(report.verdict().text()).startsWith("The prompt is within noise of the adapter (normalized match 93% vs 90%)")
                .endsWith("the prompt is enough; keep the prompt.");
    }

    @Test
    void anAdapterAheadButDearerPerQueryNeverPaysBackAndAnImportedOneHasNoBreakEven() {
        EvalReport dearer = EvalReport.compute(Metric.EXACT_MATCH, List.of(
                new EvalReport.VariantResults("prompt", "loraplane-tiny", false, null, results("prompt", 40, 5, 50, 10)),
                new EvalReport.VariantResults("adapter", "ft:x", true, 0.01, results("adapter", 40, 38, 50, 30))),
                BOOTSTRAP, rates(), 1);
        assertThat(dearer.comparison().breakEven().queriesPerMonth()).isNull();
        assertThat(dearer.verdict().text()).contains("never pays back");
        EvalReport imported = EvalReport.compute(Metric.EXACT_MATCH, List.of(
                new EvalReport.VariantResults("prompt", "loraplane-tiny", false, null, results("prompt", 40, 5, 500, 10)),
                new EvalReport.VariantResults("adapter", "ft:x", true, null, results("adapter", 40, 38, 50, 10))),
                BOOTSTRAP, rates(), 1);
        assertThat(imported.comparison().breakEven().queriesPerMonth()).isNull();
        assertThat(imported.verdict().text()).contains("training cost is unknown");
    }

    @Test
    void withoutAnAdapterThereIsNoComparisonAndTheHtmlPageShowsVerdictAndTable() {
        EvalReport report = EvalReport.compute(Metric.EXACT_MATCH, List.of(
                new EvalReport.VariantResults("zero-shot", "loraplane-tiny", false, null, results("zero-shot", 10, 2, 30, 10)),
                new EvalReport.VariantResults("few-shot <b>", "loraplane-tiny", false, null, results("few-shot <b>", 10, 6, 300, 10))),
                BOOTSTRAP, rates(), 1);
        assertThat(report.comparison()).isNull();
        assertThat(report.verdict().decision()).isEqualTo(Verdict.NO_COMPARISON);
        assertThat(report.verdict().text()).contains("few-shot <b> at 60% exact match");
        String html = ReportHtml.render("eval-1", report.toJson());
        assertThat(html).contains("<p id=\"verdict\"", "few-shot &lt;b&gt;", "<table id=\"variants\"").doesNotContain("<b>")
                .doesNotContain("<script").doesNotContain("http");
    }

    @Test
    void volumesReadAsPeopleSayThem() {
        assertThat(Verdict.volume(950)).isEqualTo("950");
        assertThat(Verdict.volume(2_345)).isEqualTo("2.3K");
        assertThat(Verdict.volume(239_999.2)).isEqualTo("240K");
        assertThat(Verdict.volume(3_400_000)).isEqualTo("3.4M");
    }
}
