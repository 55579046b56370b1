package dev.loraplane.engine.accelerator;

import java.util.List;

/**
 * What a plugin found on this host.
 *
 * @param plugin the plugin's name
 * @param present whether at least one device of this kind is usable here
 * @param devices the devices found, empty when absent
 * @param detail a one-line explanation: the tool and driver that reported the devices, or why none
 *     was found
 */
public record Detection(String plugin, boolean present, List<AcceleratorDevice> devices, String detail) {

    public Detection {
        devices = List.copyOf(devices);
    }

    public static Detection present(String plugin, List<AcceleratorDevice> devices, String detail) {
        return new Detection(plugin, !devices.isEmpty(), devices, detail);
    }

    public static Detection absent(String plugin, String reason) {
        return new Detection(plugin, false, List.of(), reason);
    }
}
