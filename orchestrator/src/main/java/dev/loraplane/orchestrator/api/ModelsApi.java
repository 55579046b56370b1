package dev.loraplane.orchestrator.api;

import dev.loraplane.orchestrator.store.Adapter;
import dev.loraplane.orchestrator.store.Store;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code GET /v1/models}: the base models, then the tenant's adapters with their {@code parent} base. */
final class ModelsApi {

    private final Vertx vertx;
    private final Store store;
    private final Set<String> baseModels;

    ModelsApi(Vertx vertx, Store store, Set<String> baseModels) {
        this.vertx = vertx;
        this.store = store;
        this.baseModels = Set.copyOf(baseModels);
    }

    void routes(Router router) {
        router.get("/v1/models").handler(this::list);
    }

    private void list(RoutingContext ctx) {
        vertx.executeBlocking(() -> store.adapters(ApiKeys.tenant(ctx))).onSuccess(adapters -> {
            List<JsonObject> data = new ArrayList<>();
            baseModels.stream().sorted().forEach(name -> data.add(new JsonObject().put("id", name).put("object", "model")
                    .put("created", 0).put("owned_by", "loraplane").put("parent", null)));
            for (Adapter a : adapters) {
                data.add(new JsonObject().put("id", a.name()).put("object", "model").put("created", a.createdAt())
                        .put("owned_by", a.tenant()).put("parent", a.baseModel()).put("root", a.baseModel())
                        .put("version", a.version()).put("job_id", a.jobId()).put("sha256", a.sha256()).put("bytes", a.bytes()));
            }
            ctx.json(new JsonObject().put("object", "list").put("data", new JsonArray(data)));
        }).onFailure(ctx::fail);
    }
}
