package dev.loraplane.orchestrator.agent;

/**
 * Devices of one type and product an agent offers, as it registers them.
 *
 * @param type cpu, nvidia, amd or apple (its accelerator plugin's name)
 * @param product what the plugin reports, e.g. "Apple M2 Max"
 * @param count how many attempts' worth of such devices it has
 */
public record AgentDevice(String type, String product, int count) {

    public AgentDevice {
        if (type == null || type.isBlank() || count < 1) {
            throw new IllegalArgumentException("an agent device needs a type and a count of 1 or more, got " + type + " × " + count);
        }
        product = product == null || product.isBlank() ? type : product;
    }
}
