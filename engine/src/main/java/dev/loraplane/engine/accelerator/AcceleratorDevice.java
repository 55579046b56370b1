package dev.loraplane.engine.accelerator;

/**
 * One device on this host.
 *
 * @param vendor the plugin name that owns it: cpu, nvidia, amd, apple
 * @param index the device's index as its vendor tool and DJL number it
 * @param product the marketing name the vendor tool reports, e.g. "NVIDIA H100 80GB HBM3"
 * @param memoryTotalBytes the device's memory (host memory for cpu and apple's unified memory); 0 when
 *     the vendor tool does not report it (rocm-smi without {@code --showmeminfo vram}, amd-smi "N/A")
 * @param id a stable identifier when the tool gives one (GPU UUID, serial), else an empty string
 */
public record AcceleratorDevice(String vendor, int index, String product, long memoryTotalBytes, String id) {}
