package dev.loraplane.orchestrator.api;

import dev.loraplane.datasets.DatasetValidator;
import dev.loraplane.datasets.ValidationReport;
import dev.loraplane.orchestrator.artifacts.ArtifactStore;
import dev.loraplane.orchestrator.store.Store;
import dev.loraplane.orchestrator.store.StoredFile;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * OpenAI's Files API for training data: upload (multipart {@code file}, {@code purpose=fine-tune}, or
 * {@code purpose=evals} for held-out and few-shot examples, which may be fewer),
 * list, get, download, delete. An upload is validated line by line before anything is stored; the
 * bytes go to the artifact store by sha256.
 */
final class FilesApi {

    static final String PURPOSE = "fine-tune";
    /** Held-out data and few-shot examples: the same formats, any number of examples from one. */
    static final String EVALS = "evals";

    private final Vertx vertx;
    private final Store store;
    private final ArtifactStore artifacts;

    FilesApi(Vertx vertx, Store store, ArtifactStore artifacts) {
        this.vertx = vertx;
        this.store = store;
        this.artifacts = artifacts;
    }

    void routes(Router router) {
        router.post("/v1/files").handler(this::upload);
        router.get("/v1/files").handler(this::list);
        router.get("/v1/files/:id").handler(this::get);
        router.get("/v1/files/:id/content").handler(this::content);
        router.delete("/v1/files/:id").handler(this::delete);
    }

    private void upload(RoutingContext ctx) {
        List<FileUpload> uploads = ctx.fileUploads();
        String purpose = ctx.request().getFormAttribute("purpose");
        Future<JsonObject> created = vertx.executeBlocking(() -> {
            try {
                if (uploads.size() != 1 || !uploads.get(0).name().equals("file")) {
                    throw ApiException.invalid("file", "missing_file", "send exactly one multipart part named 'file'");
                }
                if (!PURPOSE.equals(purpose) && !EVALS.equals(purpose)) {
                    throw ApiException.invalid("purpose", "invalid_purpose",
                            "purpose is '" + purpose + "'; loraplane accepts '" + PURPOSE + "' and '" + EVALS + "'");
                }
                FileUpload upload = uploads.get(0);
                String filename = checkedName(upload.fileName());
                Path uploaded = Path.of(upload.uploadedFileName());
                ValidationReport report = (EVALS.equals(purpose) ? DatasetValidator.builder().optMinExamples(1)
                        : DatasetValidator.builder()).build().validate(uploaded);
                if (!report.valid()) {
                    throw ApiException.invalid("file", "invalid_file", filename + " has " + report.problemCount()
                            + " problem(s): " + report.problems().stream().limit(10).map(p -> p.message())
                            .collect(Collectors.joining("; ")));
                }
                ArtifactStore.Blob blob = artifacts.putMoving(uploaded);
                StoredFile file = new StoredFile(Ids.newId("file"), ApiKeys.tenant(ctx), filename, purpose, blob.bytes(), blob.sha256(),
                        System.currentTimeMillis() / 1000);
                return json(store.insertFile(file));
            } finally {
                for (FileUpload upload : uploads) {
                    Files.deleteIfExists(Path.of(upload.uploadedFileName()));
                }
            }
        });
        created.onSuccess(file -> ctx.json(file)).onFailure(ctx::fail);
    }

    private void list(RoutingContext ctx) {
        vertx.executeBlocking(() -> store.files(ApiKeys.tenant(ctx)))
                .onSuccess(files -> ctx.json(new JsonObject().put("object", "list").put("has_more", false)
                        .put("data", new JsonArray(files.stream().map(FilesApi::json).toList()))))
                .onFailure(ctx::fail);
    }

    private void get(RoutingContext ctx) {
        find(ctx).onSuccess(file -> ctx.json(json(file))).onFailure(ctx::fail);
    }

    private void content(RoutingContext ctx) {
        find(ctx).onSuccess(file -> ctx.response().putHeader("content-type", "application/octet-stream")
                        .putHeader("content-disposition", "attachment; filename=\"" + file.filename() + "\"")
                        .sendFile(artifacts.path(file.sha256()).toString()))
                .onFailure(ctx::fail);
    }

    private void delete(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        vertx.executeBlocking(() -> store.deleteFile(ApiKeys.tenant(ctx), id))
                .onSuccess(deleted -> {
                    if (!deleted) {
                        ctx.fail(ApiException.notFound("File", id, "id"));
                    } else {
                        ctx.json(new JsonObject().put("id", id).put("object", "file").put("deleted", true));
                    }
                })
                .onFailure(ctx::fail);
    }

    private Future<StoredFile> find(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        return vertx.executeBlocking(() -> store.file(ApiKeys.tenant(ctx), id)
                .orElseThrow(() -> ApiException.notFound("File", id, "id")));
    }

    /** A plain file name: no directories, no {@code ..}, printable. */
    static String checkedName(String name) {
        if (name == null || name.isBlank() || name.contains("/") || name.contains("\\") || name.contains("..")
                || name.chars().anyMatch(Character::isISOControl) || name.length() > 255) {
            throw ApiException.invalid("file", "invalid_filename",
                    "file name '" + name + "' is not allowed: use a plain name without '/', '\\\\' or '..'");
        }
        return name;
    }

    static JsonObject json(StoredFile f) {
        return new JsonObject().put("id", f.id()).put("object", "file").put("bytes", f.bytes()).put("created_at", f.createdAt())
                .put("filename", f.filename()).put("purpose", f.purpose()).put("status", "processed");
    }
}
