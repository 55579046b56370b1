package dev.loraplane.engine.accelerator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads {@code amd-smi metric --json} and {@code amd-smi static --asic --json}. Both print a JSON
 * array with one object per GPU ({@code "gpu": 0, …}); newer releases wrap it as
 * {@code {"gpu_data": [...]}}. Figures are {@code {"value": N, "unit": "…"}} objects or "N/A". amd-smi
 * divides bytes by 1024² and calls the result "MB" (amdsmi_commands.py), so its MB are MiB. The
 * metric command names no product; that comes from {@code static}'s {@code asic.market_name}.
 */
final class AmdSmiJson {

    /**
     * What {@code amd-smi static --asic} says about one GPU.
     *
     * @param marketName the product name, e.g. "AMD Instinct MI300X"
     * @param serial the ASIC serial number, or an empty string
     */
    record Asic(String marketName, String serial) {}

    private AmdSmiJson() {}

    static List<String> metricCommand() {
        return List.of("amd-smi", "metric", "--json");
    }

    static List<String> staticCommand() {
        return List.of("amd-smi", "static", "--asic", "--json");
    }

    /** The GPUs of a {@code metric} output, named from {@code asics} (by GPU index) where known. */
    static GpuReport parseMetric(String output, Map<Integer, Asic> asics) {
        List<GpuStatus> gpus = new ArrayList<>();
        for (JsonNode gpu : gpuObjects(output)) {
            int index = index(gpu, gpus.size());
            Asic asic = asics.getOrDefault(index, new Asic("", ""));
            JsonNode memory = gpu.path("mem_usage");
            JsonNode power = gpu.path("power");
            gpus.add(new GpuStatus(
                    index,
                    asic.serial(),
                    asic.marketName(),
                    bytes(memory.get("total_vram")),
                    bytes(memory.get("used_vram")),
                    Readings.fraction(ToolJson.number(gpu.path("usage").get("gfx_activity"))),
                    Readings.first(ToolJson.number(power.get("socket_power")),
                            ToolJson.number(power.get("average_socket_power")),
                            ToolJson.number(power.get("current_socket_power"))),
                    Readings.first(ToolJson.number(gpu.path("temperature").get("edge")),
                            ToolJson.number(gpu.path("temperature").get("hotspot")))));
        }
        return new GpuReport("amd-smi", "", gpus);
    }

    /** The ASIC facts of a {@code static --asic} output, by GPU index. */
    static Map<Integer, Asic> parseStatic(String output) {
        Map<Integer, Asic> asics = new HashMap<>();
        for (JsonNode gpu : gpuObjects(output)) {
            JsonNode asic = gpu.path("asic");
            asics.put(index(gpu, asics.size()),
                    new Asic(ToolJson.text(asic.get("market_name")), ToolJson.text(asic.get("asic_serial"))));
        }
        return asics;
    }

    private static List<JsonNode> gpuObjects(String output) {
        JsonNode root = ToolJson.read("amd-smi", output);
        JsonNode list = root.isObject() && root.has("gpu_data") ? root.get("gpu_data") : root;
        if (!list.isArray()) {
            throw new ToolOutputException("amd-smi JSON is a " + list.getNodeType()
                    + "; expected an array of GPU objects or {\"gpu_data\": [...]}");
        }
        List<JsonNode> gpus = new ArrayList<>();
        list.forEach(gpus::add);
        return gpus;
    }

    private static int index(JsonNode gpu, int position) {
        Double index = ToolJson.number(gpu.get("gpu"));
        return index == null ? position : index.intValue();
    }

    /** A memory figure in bytes, from its {@code unit}; plain numbers are amd-smi's MB; other units read as unknown. */
    private static Long bytes(JsonNode node) {
        String unit = node != null && node.isObject() ? ToolJson.text(node.get("unit")).toUpperCase(Locale.ROOT) : "MB";
        Long scale = switch (unit) {
            case "B" -> 1L;
            case "KB", "KIB" -> Readings.KIB;
            case "MB", "MIB" -> Readings.MIB;
            case "GB", "GIB" -> Readings.GIB;
            default -> null;
        };
        return scale == null ? null : Readings.bytes(ToolJson.number(node), scale);
    }
}
