package dev.loraplane.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import dev.loraplane.engine.train.TrainingEvent;
import java.nio.file.Path;
import java.util.Locale;

/** Training events as the JSON lines the worker prints: {@code {"type": "progress", "step": …}}. */
final class EventJson {

    static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .registerModule(new SimpleModule().addSerializer(Path.class, ToStringSerializer.instance));

    private EventJson() {}

    static ObjectNode of(TrainingEvent event) {
        ObjectNode node = JSON.createObjectNode();
        node.put("type", event.getClass().getSimpleName().toLowerCase(Locale.ROOT));
        node.setAll((ObjectNode) JSON.valueToTree(event));
        return node;
    }

    static ObjectNode error(String code, String message) {
        ObjectNode node = JSON.createObjectNode();
        node.put("type", "error");
        node.put("code", code);
        node.put("message", message);
        return node;
    }
}
