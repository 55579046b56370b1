package dev.loraplane.orchestrator.jobs;

import dev.loraplane.engine.accelerator.DeviceTelemetry;
import dev.loraplane.orchestrator.metrics.DeviceReadingsJson;
import dev.loraplane.orchestrator.metrics.JobFigure;
import io.vertx.core.json.JsonObject;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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

    /** The gauges a progress line sets: loss, learning rate, tokens/s, progress ratio and ETA, those it holds. */
    static Map<JobFigure, Double> figures(JsonObject line) {
        Map<JobFigure, Double> figures = new EnumMap<>(JobFigure.class);
        put(figures, JobFigure.LOSS, line.getValue("loss"));
        put(figures, JobFigure.LEARNING_RATE, line.getValue("learning_rate"));
        put(figures, JobFigure.TOKENS_PER_SECOND, line.getValue("tokens_per_second"));
        put(figures, JobFigure.ETA, line.getValue("eta_seconds"));
        if (line.getValue("step") instanceof Number step && line.getValue("total_steps") instanceof Number total
                && total.doubleValue() > 0) {
            figures.put(JobFigure.PROGRESS, Math.min(1.0, step.doubleValue() / total.doubleValue()));
        }
        return figures;
    }

    /** The device readings of a telemetry line, {@code {"type": "telemetry", "host": …, "devices": [...]}}. */
    static List<DeviceTelemetry> devices(JsonObject line) {
        return DeviceReadingsJson.parse(line.getJsonArray("devices"));
    }

    private static void put(Map<JobFigure, Double> figures, JobFigure figure, Object value) {
        if (value instanceof Number n) {
            figures.put(figure, n.doubleValue());
        }
    }
}
