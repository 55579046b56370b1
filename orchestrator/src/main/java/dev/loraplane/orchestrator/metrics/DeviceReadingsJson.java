package dev.loraplane.orchestrator.metrics;

import dev.loraplane.engine.accelerator.DeviceTelemetry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Device readings as workers and agents send them: {@code [{"vendor", "index", "product",
 * "utilization", "memory_used_bytes", "memory_total_bytes", "power_watts", "temperature_celsius"}]},
 * snake_case {@link DeviceTelemetry}. A figure that is absent or null stays null; an entry without a
 * vendor or an index is skipped.
 */
public final class DeviceReadingsJson {

    private DeviceReadingsJson() {}

    public static List<DeviceTelemetry> parse(JsonArray array) {
        List<DeviceTelemetry> devices = new ArrayList<>();
        if (array == null) {
            return devices;
        }
        for (Object entry : array) {
            if (!(entry instanceof JsonObject d) || d.getString("vendor") == null || !(d.getValue("index") instanceof Number index)) {
                continue;
            }
            devices.add(new DeviceTelemetry(d.getString("vendor"), index.intValue(), d.getString("product", ""),
                    number(d, "utilization"), whole(d, "memory_used_bytes"), whole(d, "memory_total_bytes"),
                    number(d, "power_watts"), number(d, "temperature_celsius")));
        }
        return devices;
    }

    private static Double number(JsonObject o, String key) {
        return o.getValue(key) instanceof Number n ? n.doubleValue() : null;
    }

    private static Long whole(JsonObject o, String key) {
        return o.getValue(key) instanceof Number n ? n.longValue() : null;
    }
}
