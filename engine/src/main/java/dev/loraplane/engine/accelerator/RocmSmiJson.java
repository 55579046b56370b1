package dev.loraplane.engine.accelerator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code rocm-smi … --json}: one object per {@code cardN} plus a {@code system} object, every
 * value a string. Key spelling differs between ROCm releases ("Card series" in 6.0, "Card Series" in
 * 6.1), so keys are matched without regard to case. The total VRAM is only present when
 * {@code --showmeminfo vram} was asked for ({@code rocm-smi -a} leaves it out).
 */
final class RocmSmiJson {

    private static final Pattern CARD = Pattern.compile("card(\\d+)");

    private RocmSmiJson() {}

    static List<String> command() {
        return List.of("rocm-smi", "--showproductname", "--showmeminfo", "vram", "--showuse", "--showpower",
                "--showtemp", "--showuniqueid", "--showserial", "--showdriverversion", "--json");
    }

    static GpuReport parse(String output) {
        JsonNode root = ToolJson.read("rocm-smi", output);
        if (!root.isObject()) {
            throw new ToolOutputException(
                    "rocm-smi JSON is a " + root.getNodeType() + "; expected an object of cardN entries");
        }
        List<GpuStatus> gpus = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            Matcher card = CARD.matcher(entry.getKey());
            if (card.matches()) {
                gpus.add(gpu(Integer.parseInt(card.group(1)), keys(entry.getValue())));
            }
        }
        gpus.sort(Comparator.comparingInt(GpuStatus::index));
        String driver = ToolJson.text(keys(root.path("system")).get("driver version"));
        return new GpuReport("rocm-smi", driver, gpus);
    }

    private static GpuStatus gpu(int index, Map<String, JsonNode> card) {
        return new GpuStatus(
                index,
                firstText(card, "unique id", "serial number"),
                firstText(card, "card series", "device name", "card sku", "card model"),
                Readings.bytes(ToolJson.number(card.get("vram total memory (b)")), 1),
                Readings.bytes(ToolJson.number(card.get("vram total used memory (b)")), 1),
                Readings.fraction(ToolJson.number(card.get("gpu use (%)"))),
                Readings.first(ToolJson.number(card.get("average graphics package power (w)")),
                        ToolJson.number(card.get("current socket graphics package power (w)"))),
                Readings.first(ToolJson.number(card.get("temperature (sensor edge) (c)")),
                        ToolJson.number(card.get("temperature (sensor junction) (c)"))));
    }

    /** An object's fields keyed by their lower-case names. */
    private static Map<String, JsonNode> keys(JsonNode object) {
        Map<String, JsonNode> keys = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            keys.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue());
        }
        return keys;
    }

    private static String firstText(Map<String, JsonNode> card, String... keys) {
        for (String key : keys) {
            String text = ToolJson.text(card.get(key));
            if (!text.isEmpty()) {
                return text;
            }
        }
        return "";
    }
}
