package dev.loraplane.orchestrator.jobs;

import io.vertx.core.json.JsonObject;
import java.util.Locale;

/** One JSON line of {@code loraplane worker}, turned into the job event users see. */
final class WorkerLine {

    private WorkerLine() {}

    /** The message of a progress, eval, checkpoint or started line; null for lines that end the job. */
    static String message(JsonObject line) {
        return switch (line.getString("type", "")) {
            case "started" -> "Training started: " + line.getInteger("total_steps") + " steps";
            case "progress" -> String.format(Locale.ROOT, "Step %d/%d: training loss=%.4f", line.getInteger("step"),
                    line.getInteger("total_steps"), line.getDouble("loss"));
            case "eval" -> String.format(Locale.ROOT, "Step %d: validation loss=%.4f", line.getInteger("step"),
                    line.getDouble("eval_loss"));
            case "checkpoint" -> "Checkpoint written at step " + line.getInteger("step");
            default -> null;
        };
    }

    /** OpenAI's metrics event data for a progress or eval line. */
    static JsonObject metrics(JsonObject line) {
        if (line.getString("type", "").equals("eval")) {
            return new JsonObject().put("step", line.getInteger("step")).put("valid_loss", line.getDouble("eval_loss"));
        }
        return new JsonObject().put("step", line.getInteger("step")).put("total_steps", line.getInteger("total_steps"))
                .put("train_loss", line.getDouble("loss")).put("learning_rate", line.getDouble("learning_rate"))
                .put("tokens_per_second", line.getDouble("tokens_per_second")).put("eta_seconds", line.getDouble("eta_seconds"));
    }
}
