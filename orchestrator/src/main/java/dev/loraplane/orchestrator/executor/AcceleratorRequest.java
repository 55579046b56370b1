package dev.loraplane.orchestrator.executor;

import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * The devices a job asks for: {@code accelerator: {type, count, product}} in the create request.
 *
 * @param product a product to insist on, matched case-insensitively as a substring of the pool's
 *     product ("H100" matches "NVIDIA H100 80GB HBM3"); null for any
 */
public record AcceleratorRequest(String type, int count, String product) {

    /** The request's {@code accelerator} object as the API stored it. */
    public static AcceleratorRequest of(JsonObject accelerator) {
        if (accelerator == null) {
            return new AcceleratorRequest("cpu", 1, null);
        }
        return new AcceleratorRequest(accelerator.getString("type", "cpu"), accelerator.getInteger("count", 1),
                accelerator.getString("product"));
    }

    /**
     * Whether {@code pool} has the type and product asked for, with enough devices on one of its
     * machines (free or not).
     */
    public boolean accepts(DevicePool pool) {
        return pool.type().equals(type) && pool.largestTotal() >= count && (product == null
                || pool.product().toLowerCase(Locale.ROOT).contains(product.toLowerCase(Locale.ROOT)));
    }

    /** How users read it in events: "2 × nvidia H100". */
    public String describe() {
        return count + " × " + type + (product == null ? "" : " " + product);
    }
}
