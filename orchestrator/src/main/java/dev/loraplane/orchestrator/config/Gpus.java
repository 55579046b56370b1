package dev.loraplane.orchestrator.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.loraplane.engine.accelerator.AcceleratorDevice;
import dev.loraplane.engine.accelerator.AcceleratorPlugin;
import dev.loraplane.engine.accelerator.Accelerators;
import dev.loraplane.engine.accelerator.Detection;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Which of this host's GPUs the local executor may use: {@code auto} (every one the accelerator
 * plugins detect), {@code none}, or a list of device indices such as {@code [0, 1]}.
 *
 * @param auto whether every detected GPU is used
 * @param indices the device indices to use when not {@code auto}; empty for none
 */
public record Gpus(boolean auto, List<Integer> indices) {

    public static final Gpus AUTO = new Gpus(true, List.of());
    public static final Gpus NONE = new Gpus(false, List.of());

    public Gpus {
        indices = List.copyOf(indices);
    }

    /** Reads {@code auto}, {@code none} or a list of indices. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static Gpus of(JsonNode node) {
        if (node.isTextual() && node.asText().equals("auto")) {
            return AUTO;
        }
        if (node.isTextual() && node.asText().equals("none")) {
            return NONE;
        }
        if (node.isArray()) {
            List<Integer> indices = new ArrayList<>();
            for (JsonNode index : node) {
                if (!index.canConvertToExactIntegral() || index.asInt() < 0) {
                    throw new InvalidValue("", "lists " + index + "; expected device indices such as [0, 1]");
                }
                indices.add(index.asInt());
            }
            return new Gpus(false, indices);
        }
        throw new InvalidValue("", "is " + (node.isTextual() ? "'" + node.asText() + "'" : node) + "; expected auto, none or a list of device indices such as [0, 1]");
    }

    /** Every GPU the installed accelerator plugins find on this host (the cpu plugin's device excluded). */
    public static List<AcceleratorDevice> detected() {
        return Accelerators.plugins().stream()
                .filter(p -> !p.name().equals("cpu"))
                .map(AcceleratorPlugin::detect)
                .filter(Detection::present)
                .flatMap(d -> d.devices().stream())
                .toList();
    }

    /** The devices this selection picks from {@code detected}; an index the host lacks is an error. */
    public List<AcceleratorDevice> select(List<AcceleratorDevice> detected) {
        if (auto) {
            return detected;
        }
        for (int index : indices) {
            if (detected.stream().noneMatch(d -> d.index() == index)) {
                String found = detected.isEmpty() ? "none" : detected.stream().map(d -> d.vendor() + " " + d.index())
                        .collect(Collectors.joining(", "));
                throw new ConfigException("executors.local.gpus lists " + index + ", but this host has no GPU " + index
                        + " (GPUs found: " + found + ")");
            }
        }
        return detected.stream().filter(d -> indices.contains(d.index())).toList();
    }
}
