package dev.loraplane.orchestrator.api;

import dev.loraplane.engine.Zips;
import dev.loraplane.orchestrator.store.Adapter;
import dev.loraplane.orchestrator.store.Store;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.util.List;

/**
 * The adapter registry: import a PEFT adapter as the next version of a name, list the tenant's
 * adapters, show one with its versions, download the newest version as a zip of its PEFT directory,
 * delete one.
 */
final class AdaptersApi {

    private final Vertx vertx;
    private final Store store;
    private final AdapterImport imports;

    AdaptersApi(Vertx vertx, Store store, AdapterImport imports) {
        this.vertx = vertx;
        this.store = store;
        this.imports = imports;
    }

    void routes(Router router) {
        router.post("/v1/adapters").handler(this::create);
        router.get("/v1/adapters").handler(this::list);
        router.get("/v1/adapters/:name").handler(this::get);
        router.get("/v1/adapters/:name/content").handler(this::content);
        router.delete("/v1/adapters/:name").handler(this::delete);
    }

    /** Multipart {@code name}, {@code base_model} and the adapter; answers as {@code GET /v1/adapters/{name}} does. */
    private void create(RoutingContext ctx) {
        String tenant = ApiKeys.tenant(ctx);
        MultiMap form = ctx.request().formAttributes();
        List<FileUpload> uploads = ctx.fileUploads();
        vertx.executeBlocking(() -> {
            Adapter adapter = store.importAdapter(imports.publish(tenant, form, uploads));
            return json(adapter).put("versions", new JsonArray(store.adapterVersions(tenant, adapter.name()).stream()
                    .map(AdaptersApi::json).toList()));
        }).onSuccess(ctx::json).onFailure(ctx::fail);
    }

    private void list(RoutingContext ctx) {
        vertx.executeBlocking(() -> store.adapters(ApiKeys.tenant(ctx)))
                .onSuccess(adapters -> ctx.json(new JsonObject().put("object", "list")
                        .put("data", new JsonArray(adapters.stream().map(AdaptersApi::json).toList()))))
                .onFailure(ctx::fail);
    }

    private void get(RoutingContext ctx) {
        versions(ctx).onSuccess(versions -> ctx.json(json(versions.get(0)).put("versions",
                new JsonArray(versions.stream().map(AdaptersApi::json).toList())))).onFailure(ctx::fail);
    }

    private void content(RoutingContext ctx) {
        versions(ctx).compose(versions -> vertx.executeBlocking(() -> Buffer.buffer(Zips.zip(Path.of(versions.get(0).path())))))
                .onSuccess(zip -> ctx.response().putHeader("content-type", "application/zip")
                        .putHeader("content-disposition", "attachment; filename=\"adapter.zip\"").end(zip))
                .onFailure(ctx::fail);
    }

    private void delete(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        vertx.executeBlocking(() -> store.deleteAdapter(ApiKeys.tenant(ctx), name)).onSuccess(deleted -> {
            if (deleted) {
                ctx.json(new JsonObject().put("id", name).put("object", "adapter").put("deleted", true));
            } else {
                ctx.fail(ApiException.notFound("Adapter", name, "name"));
            }
        }).onFailure(ctx::fail);
    }

    private io.vertx.core.Future<List<Adapter>> versions(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        return vertx.executeBlocking(() -> {
            List<Adapter> versions = store.adapterVersions(ApiKeys.tenant(ctx), name);
            if (versions.isEmpty()) {
                throw ApiException.notFound("Adapter", name, "name");
            }
            return versions;
        });
    }

    static JsonObject json(Adapter a) {
        return new JsonObject().put("id", a.name()).put("object", "adapter").put("version", a.version())
                .put("base_model", a.baseModel()).put("job_id", a.jobId()).put("sha256", a.sha256()).put("bytes", a.bytes())
                .put("created_at", a.createdAt());
    }
}
