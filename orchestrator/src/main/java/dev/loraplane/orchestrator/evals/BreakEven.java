package dev.loraplane.orchestrator.evals;

import io.vertx.core.json.JsonObject;

/**
 * When an adapter's cheaper queries repay its training against a prompt-engineered variant:
 *
 * <pre>
 *   saving per query   = cost per query (prompt variant) − cost per query (adapter)
 *   break-even volume  = training cost / (saving per query · payback months)      queries per month
 * </pre>
 *
 * Above that monthly volume the adapter has paid for itself within the payback period. With no
 * saving (the adapter's queries cost as much or more) or no known training cost there is none.
 *
 * @param savingUsdPerQuery may be zero or negative
 * @param trainingCostUsd null when unknown (an imported adapter)
 * @param queriesPerMonth null when there is no break-even
 */
public record BreakEven(double savingUsdPerQuery, Double trainingCostUsd, double paybackMonths, Double queriesPerMonth) {

    public static BreakEven of(VariantSummary prompt, VariantSummary adapter, double paybackMonths) {
        double saving = (prompt.usdPerMillionQueries() - adapter.usdPerMillionQueries()) / 1e6;
        Double cost = adapter.trainingCostUsd();
        Double volume = cost == null || saving <= 0 ? null : cost / (saving * paybackMonths);
        return new BreakEven(saving, cost, paybackMonths, volume);
    }

    public JsonObject toJson() {
        return new JsonObject().put("saving_usd_per_query", savingUsdPerQuery).put("training_cost_usd", trainingCostUsd)
                .put("payback_months", paybackMonths).put("queries_per_month", queriesPerMonth);
    }
}
