package dev.loraplane.orchestrator.api;

import dev.loraplane.orchestrator.executor.DevicePool;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code GET /v1/capacity}: the devices jobs can run on, by executor, machine, type and product, with
 * how many are free now, and how many (free) on the largest machine of a pool over many (the largest
 * attempt it takes) — what the scheduler sees.
 */
final class CapacityApi {

    private final Vertx vertx;
    private final Supplier<List<DevicePool>> pools;

    CapacityApi(Vertx vertx, Supplier<List<DevicePool>> pools) {
        this.vertx = vertx;
        this.pools = pools;
    }

    void routes(Router router) {
        router.get("/v1/capacity").handler(this::list);
    }

    private void list(RoutingContext ctx) {
        vertx.executeBlocking(pools::get).onSuccess(list -> ctx.json(new JsonObject().put("object", "list")
                .put("data", new JsonArray(list.stream().map(CapacityApi::json).toList())))).onFailure(ctx::fail);
    }

    private static JsonObject json(DevicePool p) {
        return new JsonObject().put("object", "capacity.pool").put("executor", p.executor()).put("node", p.node())
                .put("type", p.type()).put("product", p.product()).put("total", p.total()).put("free", p.free())
                .put("largest_total", p.largestTotal()).put("largest_free", p.largestFree());
    }
}
