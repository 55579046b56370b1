package dev.loraplane.orchestrator.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * OpenAI's list pages: {@code ?limit} (1–100, default 20), {@code ?after} an item id, and a page of
 * {@code {"object": "list", "data": […], "has_more": …}}. Stores are asked for {@code limit + 1}
 * items, so the extra one says whether there are more.
 */
final class ListPages {

    private ListPages() {}

    static int limit(RoutingContext ctx) {
        String value = ctx.queryParams().get("limit");
        try {
            int limit = value == null ? 20 : Integer.parseInt(value);
            if (limit < 1 || limit > 100) {
                throw new NumberFormatException();
            }
            return limit;
        } catch (NumberFormatException e) {
            throw ApiException.invalid("limit", "invalid_value", "limit must be an integer from 1 to 100, got " + value);
        }
    }

    /**
     * The sequence number of the event {@code ?after} names (its id ends in {@code -<sequence>}), or 0
     * when there is none.
     *
     * @param example an event id to show in the error, e.g. {@code ftevent-…-12}
     */
    static long afterEvent(RoutingContext ctx, String example) {
        String after = ctx.queryParams().get("after");
        if (after == null) {
            return 0;
        }
        try {
            return Long.parseLong(after.substring(after.lastIndexOf('-') + 1));
        } catch (NumberFormatException e) {
            throw ApiException.invalid("after", "invalid_value", "after must be an event id such as " + example + ", got " + after);
        }
    }

    /** The first {@code limit} of {@code items} (which may hold one more) as a page. */
    static JsonObject page(List<JsonObject> items, int limit) {
        return new JsonObject().put("object", "list").put("data", new JsonArray(items.subList(0, Math.min(limit, items.size()))))
                .put("has_more", items.size() > limit);
    }
}
