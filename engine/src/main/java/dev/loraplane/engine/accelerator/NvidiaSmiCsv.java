package dev.loraplane.engine.accelerator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads {@code nvidia-smi --query-gpu=… --format=csv} output. With a header (plain {@code csv}, as
 * {@link #command()} asks) the header names the columns, so any field list and order reads the same;
 * without one ({@code csv,noheader}) the caller names them. Units in the header ("memory.used
 * [MiB]") and in the cells ("19818 MiB") are dropped; "[N/A]", "[Not Supported]" and the like —
 * MIG mode reports {@code utilization.gpu} as "[N/A]" — read as {@code null}.
 */
final class NvidiaSmiCsv {

    /** The fields {@link NvidiaPlugin} queries; a driver that rejects one is asked for {@code -q -x} instead. */
    static final List<String> FIELDS = List.of("index", "uuid", "name", "memory.total", "memory.used",
            "utilization.gpu", "power.draw", "temperature.gpu", "driver_version");

    /** A header cell: a field name, then its unit in brackets when the values carry one. */
    private static final Pattern HEADER_CELL =
            Pattern.compile("[a-z][a-z0-9_.]*( \\[[^]]+])?", Pattern.CASE_INSENSITIVE);

    private NvidiaSmiCsv() {}

    static List<String> command() {
        return List.of("nvidia-smi", "--query-gpu=" + String.join(",", FIELDS), "--format=csv");
    }

    /** Output whose first line is the header that {@code --format=csv} prints. */
    static GpuReport parse(String csv) {
        List<String> lines = lines(csv);
        if (lines.isEmpty()) {
            throw new ToolOutputException("nvidia-smi printed nothing; expected a CSV header line");
        }
        List<String> header = cells(lines.get(0));
        if (!header.stream().allMatch(cell -> HEADER_CELL.matcher(cell).matches())) {
            throw new ToolOutputException("nvidia-smi CSV header \"" + abbreviate(lines.get(0))
                    + "\" is not a list of query fields such as \"memory.used [MiB]\"");
        }
        List<String> fields = header.stream().map(NvidiaSmiCsv::withoutUnit).toList();
        return report(fields, lines.subList(1, lines.size()));
    }

    /** Output of {@code --format=csv,noheader}, whose columns are {@code fields} in order. */
    static GpuReport parse(String csv, List<String> fields) {
        return report(fields, lines(csv));
    }

    private static GpuReport report(List<String> fields, List<String> rows) {
        List<GpuStatus> gpus = new ArrayList<>();
        String driver = "";
        for (int r = 0; r < rows.size(); r++) {
            List<String> cells = cells(rows.get(r));
            if (cells.size() != fields.size()) {
                throw new ToolOutputException("nvidia-smi CSV row " + (r + 1) + " has " + cells.size()
                        + " cells where there are " + fields.size() + " fields");
            }
            Map<String, String> row = new HashMap<>();
            for (int c = 0; c < fields.size(); c++) {
                row.put(fields.get(c), cells.get(c));
            }
            gpus.add(gpu(row, r));
            driver = row.getOrDefault("driver_version", driver);
        }
        return new GpuReport("nvidia-smi", driver, gpus);
    }

    private static GpuStatus gpu(Map<String, String> row, int position) {
        Double index = Readings.number(row.get("index"));
        return new GpuStatus(
                index == null ? position : index.intValue(),
                text(row.get("uuid")),
                text(row.get("name")),
                Readings.bytes(Readings.number(row.get("memory.total")), Readings.MIB),
                Readings.bytes(Readings.number(row.get("memory.used")), Readings.MIB),
                Readings.fraction(Readings.number(row.get("utilization.gpu"))),
                Readings.first(Readings.number(row.get("power.draw")),
                        Readings.number(row.get("power.draw.average")),
                        Readings.number(row.get("power.draw.instant"))),
                Readings.number(row.get("temperature.gpu")));
    }

    /** A text cell, or an empty string for a missing cell or one of nvidia-smi's bracketed placeholders. */
    private static String text(String cell) {
        return cell == null || cell.startsWith("[") || cell.equals("N/A") ? "" : cell;
    }

    private static String withoutUnit(String header) {
        int bracket = header.indexOf(" [");
        return bracket < 0 ? header : header.substring(0, bracket);
    }

    private static String abbreviate(String line) {
        return line.length() <= 80 ? line : line.substring(0, 80) + "…";
    }

    private static List<String> lines(String text) {
        return text.lines().filter(line -> !line.isBlank()).toList();
    }

    private static List<String> cells(String line) {
        return List.of(line.split(",", -1)).stream().map(String::strip).toList();
    }
}
