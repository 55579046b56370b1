package dev.loraplane.orchestrator.api;

import static dev.loraplane.orchestrator.api.TestApi.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.lora.LoraConfig;
import dev.loraplane.engine.lora.PeftConfig;
import dev.loraplane.engine.model.Llama;
import dev.loraplane.engine.model.SafeTensorsWriter;
import dev.loraplane.engine.tiny.Preset;
import dev.loraplane.engine.tiny.TinyModel;
import dev.loraplane.orchestrator.artifacts.ArtifactStore;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.multipart.MultipartForm;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/adapters} over real HTTP: a PEFT adapter made by the engine for the tiny base model
 * is imported, listed, served as a model and downloaded; bad imports name the field and store nothing.
 */
@ExtendWith(VertxExtension.class)
class AdaptersImportTest {

    static final String BASE = "loraplane-tiny";
    static final LoraConfig QV = new LoraConfig(4, 8, 0, List.of("q_proj", "v_proj"), false, "loraplane-tiny");

    /** An adapter the engine initialized on the tiny model and saved in PEFT's layout, with a non-zero B. */
    @TempDir
    static Path made;

    static Path adapter;

    @TempDir
    Path dir;

    WebClient client;
    int port;

    @BeforeAll
    static void makeAnAdapter() {
        TinyModel.write(Preset.TINY, made.resolve("tiny"), 0);
        adapter = made.resolve("adapter");
        try (Llama model = Llama.load(made.resolve("tiny")); LoraAdapter lora = LoraAdapter.initialize("made", QV, model, 5)) {
            lora.modules().values().forEach(m -> m.b().addi(0.01f));
            lora.save(adapter);
        }
    }

    @BeforeEach
    void start(Vertx vertx) throws Exception {
        TinyModel.write(Preset.TINY, dir.resolve("tiny"), 0);
        port = TestApi.start(vertx, dir, 1 << 20);
        client = WebClient.create(vertx);
    }

    // ---- requests -------------------------------------------------------------------------------

    private HttpResponse<Buffer> importZip(String key, String name, Path zip) throws Exception {
        return post(key, form(name, BASE).binaryFileUpload("file", "adapter.zip", zip.toString(), "application/zip"));
    }

    private HttpResponse<Buffer> importParts(String key, String name, Path adapterDir) throws Exception {
        return post(key, form(name, BASE)
                .textFileUpload("adapter_config", PeftConfig.FILE, adapterDir.resolve(PeftConfig.FILE).toString(), "application/json")
                .binaryFileUpload("adapter_model", LoraAdapter.WEIGHTS_FILE, adapterDir.resolve(LoraAdapter.WEIGHTS_FILE).toString(),
                        "application/octet-stream"));
    }

    private static MultipartForm form(String name, String baseModel) {
        MultipartForm form = MultipartForm.create();
        if (name != null) {
            form.attribute("name", name);
        }
        if (baseModel != null) {
            form.attribute("base_model", baseModel);
        }
        return form;
    }

    private HttpResponse<Buffer> post(String key, MultipartForm form) throws Exception {
        return await(client.post(port, "127.0.0.1", "/v1/adapters").bearerTokenAuthentication(key).sendMultipartForm(form));
    }

    private HttpResponse<Buffer> get(String path, String key) throws Exception {
        return await(client.get(port, "127.0.0.1", path).bearerTokenAuthentication(key).send());
    }

    /** A zip of these entries, name → bytes, in order. */
    private Path zip(String name, Map<String, byte[]> entries) throws IOException {
        Path zip = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return zip;
    }

    /** The adapter's two files, under {@code folder} ("" for the top). */
    private static Map<String, byte[]> files(Path adapterDir, String folder) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(folder + PeftConfig.FILE, Files.readAllBytes(adapterDir.resolve(PeftConfig.FILE)));
        entries.put(folder + LoraAdapter.WEIGHTS_FILE, Files.readAllBytes(adapterDir.resolve(LoraAdapter.WEIGHTS_FILE)));
        return entries;
    }

    private long storedFiles() throws IOException {
        long count = 0;
        for (String sub : List.of("adapters", "uploads")) {
            Path root = dir.resolve(sub);
            if (Files.exists(root)) {
                try (Stream<Path> files = Files.walk(root)) {
                    count += files.filter(p -> !p.equals(root)).count();
                }
            }
        }
        return count;
    }

    // ---- tests ----------------------------------------------------------------------------------

    @Test
    void anImportedAdapterIsListedServedAsAModelAndDownloadsToWhatWasMade() throws Exception {
        HttpResponse<Buffer> created = importZip("sk-acme", "support-bot", zip("a.zip", files(adapter, "my-adapter/")));
        assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(200);
        JsonObject body = created.bodyAsJsonObject();
        assertThat(body.getString("object")).isEqualTo("adapter");
        assertThat(body.getString("id")).isEqualTo("support-bot");
        assertThat(body.getInteger("version")).isEqualTo(1);
        assertThat(body.getString("base_model")).isEqualTo(BASE);
        assertThat(body.getValue("job_id")).isNull();
        assertThat(body.getString("sha256")).isEqualTo(ArtifactStore.sha256(adapter.resolve(LoraAdapter.WEIGHTS_FILE)));
        assertThat(body.getLong("bytes")).isEqualTo(Files.size(adapter.resolve(PeftConfig.FILE))
                + Files.size(adapter.resolve(LoraAdapter.WEIGHTS_FILE)));
        assertThat(body.getJsonArray("versions")).hasSize(1);

        assertThat(get("/v1/adapters", "sk-acme").bodyAsJsonObject().getJsonArray("data")).singleElement()
                .satisfies(a -> assertThat(((JsonObject) a).getString("id")).isEqualTo("support-bot"));
        assertThat(get("/v1/adapters/support-bot", "sk-acme").bodyAsJsonObject().getInteger("version")).isEqualTo(1);
        JsonArray models = get("/v1/models", "sk-acme").bodyAsJsonObject().getJsonArray("data");
        assertThat(models.stream().map(m -> (JsonObject) m)).anySatisfy(m -> {
            assertThat(m.getString("id")).isEqualTo("support-bot");
            assertThat(m.getString("parent")).isEqualTo(BASE);
        });

        // Another tenant sees none of it.
        assertThat(get("/v1/adapters/support-bot", "sk-globex").statusCode()).isEqualTo(404);
        assertThat(get("/v1/adapters/support-bot/content", "sk-globex").statusCode()).isEqualTo(404);
        assertThat(get("/v1/adapters", "sk-globex").bodyAsJsonObject().getJsonArray("data")).isEmpty();
        assertThat(get("/v1/models", "sk-globex").bodyAsJsonObject().getJsonArray("data").stream()
                .map(m -> ((JsonObject) m).getString("id"))).doesNotContain("support-bot");

        // Downloaded as a user would, it loads onto the base with the weights that were made.
        HttpResponse<Buffer> content = get("/v1/adapters/support-bot/content", "sk-acme");
        assertThat(content.statusCode()).isEqualTo(200);
        Path downloaded = Files.createDirectories(dir.resolve("downloaded"));
        try (ZipInputStream entries = new ZipInputStream(new ByteArrayInputStream(content.body().getBytes()))) {
            for (ZipEntry entry = entries.getNextEntry(); entry != null; entry = entries.getNextEntry()) {
                Files.copy(entries, downloaded.resolve(entry.getName()));
            }
        }
        try (Llama model = Llama.load(dir.resolve("tiny"));
                LoraAdapter original = LoraAdapter.fromCheckpoint("made", adapter, model);
                LoraAdapter imported = LoraAdapter.fromCheckpoint("support-bot", downloaded, model)) {
            assertThat(imported.config()).isEqualTo(QV);
            assertThat(imported.modules()).hasSize(8);
            original.modules().forEach((key, m) -> {
                assertThat(imported.modules().get(key).a().toFloatArray()).as(key + " A").containsExactly(m.a().toFloatArray());
                assertThat(imported.modules().get(key).b().toFloatArray()).as(key + " B").containsExactly(m.b().toFloatArray());
            });
        }
    }

    @Test
    void importingANameAgainMakesTheNextVersion() throws Exception {
        assertThat(importZip("sk-acme", "support-bot", zip("a.zip", files(adapter, ""))).statusCode()).isEqualTo(200);
        // The same weights with another alpha, sent as two parts: a version of its own, in a directory of its own.
        Path retuned = Files.createDirectories(dir.resolve("retuned"));
        Files.copy(adapter.resolve(LoraAdapter.WEIGHTS_FILE), retuned.resolve(LoraAdapter.WEIGHTS_FILE));
        PeftConfig.write(new LoraConfig(4, 16, 0, QV.targetModules(), false, "loraplane-tiny"), retuned);
        HttpResponse<Buffer> second = importParts("sk-acme", "support-bot", retuned);
        assertThat(second.statusCode()).as(second.bodyAsString()).isEqualTo(200);
        assertThat(second.bodyAsJsonObject().getInteger("version")).isEqualTo(2);
        assertThat(second.bodyAsJsonObject().getJsonArray("versions").stream().map(v -> ((JsonObject) v).getInteger("version")))
                .containsExactly(2, 1);
        JsonObject newest = get("/v1/adapters/support-bot", "sk-acme").bodyAsJsonObject();
        assertThat(newest.getInteger("version")).isEqualTo(2);

        Path downloaded = Files.createDirectories(dir.resolve("downloaded"));
        try (ZipInputStream entries = new ZipInputStream(new ByteArrayInputStream(
                get("/v1/adapters/support-bot/content", "sk-acme").body().getBytes()))) {
            for (ZipEntry entry = entries.getNextEntry(); entry != null; entry = entries.getNextEntry()) {
                Files.copy(entries, downloaded.resolve(entry.getName()));
            }
        }
        assertThat(PeftConfig.read(downloaded).alpha()).as("the newest version downloads").isEqualTo(16);

        // Another tenant's first import of the same name is its version 1.
        assertThat(importZip("sk-globex", "support-bot", zip("b.zip", files(adapter, ""))).bodyAsJsonObject()
                .getInteger("version")).isEqualTo(1);
    }

    @Test
    void eachBadImportNamesItsFieldAndStoresNothing() throws Exception {
        Path good = zip("good.zip", files(adapter, ""));
        refused(importZip("sk-acme", null, good), 400, "name", "name is required");
        refused(importZip("sk-acme", "../escape", good), 400, "name", "not allowed");
        refused(importZip("sk-acme", "two words", good), 400, "name", "not allowed");
        refused(importZip("sk-acme", "bell\u0007", good), 400, "name", "not allowed");
        refused(importZip("sk-acme", "n".repeat(257), good), 400, "name", "at most 256");
        refused(post("sk-acme", form("bot", null).binaryFileUpload("file", "a.zip", good.toString(), "application/zip")),
                400, "base_model", "base_model is required");
        HttpResponse<Buffer> unknown = post("sk-acme", form("bot", "llama-70b")
                .binaryFileUpload("file", "a.zip", good.toString(), "application/zip"));
        refused(unknown, 400, "base_model", "'llama-70b' is not a base model here; available: loraplane-tiny");
        assertThat(unknown.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("model_not_found");
        refused(post("sk-acme", form("bot", BASE)), 400, "file", "send the adapter");
        refused(post("sk-acme", form("bot", BASE).textFileUpload("adapter_config", PeftConfig.FILE,
                adapter.resolve(PeftConfig.FILE).toString(), "application/json")), 400, "adapter_model", "adapter_model is missing");

        Path notZip = Files.writeString(dir.resolve("not.zip"), "{\"peft_type\": \"LORA\"}");
        refused(importZip("sk-acme", "bot", notZip), 400, "file", "not a readable zip");
        Map<String, byte[]> weightsOnly = files(adapter, "");
        weightsOnly.remove(PeftConfig.FILE);
        refused(importZip("sk-acme", "bot", zip("w.zip", weightsOnly)), 400, "file", "no adapter_config.json");
        refused(importZip("sk-acme", "bot", zip("deep.zip", files(adapter, "out/checkpoint-10/"))), 400, "file",
                "no adapter_config.json");
        Map<String, byte[]> slip = files(adapter, "");
        slip.put("../../escaped.txt", "gotcha".getBytes());
        refused(importZip("sk-acme", "bot", zip("slip.zip", slip)), 400, "file", "points outside the archive");
        assertThat(dir.getParent().resolve("escaped.txt")).doesNotExist();
        Map<String, byte[]> bomb = files(adapter, "");
        bomb.put(LoraAdapter.WEIGHTS_FILE, new byte[3 << 20]);   // 3 MiB of zeros: a few KiB zipped, past the 1 MiB limit unpacked
        refused(importZip("sk-acme", "bot", zip("bomb.zip", bomb)), 413, "file", "more than 1048576 bytes");

        // The config's rank is not the tensors'.
        Path rank = Files.createDirectories(dir.resolve("rank"));
        Files.copy(adapter.resolve(LoraAdapter.WEIGHTS_FILE), rank.resolve(LoraAdapter.WEIGHTS_FILE));
        PeftConfig.write(new LoraConfig(8, 16, 0, QV.targetModules(), false, "loraplane-tiny"), rank);
        refused(importParts("sk-acme", "bot", rank), 400, "adapter_model",
                "layers.0.self_attn.q_proj.lora_A.weight has shape (4, 128), expected (8, 128)");
        refused(importZip("sk-acme", "bot", zip("rank.zip", files(rank, ""))), 400, "file", "r = 8");

        // Made for a model without grouped-query attention: v_proj's B is 128 rows, the base's v_proj 64.
        Path wide = Files.createDirectories(dir.resolve("wide"));
        Map<String, SafeTensorsWriter.F32Tensor> tensors = new LinkedHashMap<>();
        for (int layer = 0; layer < 4; layer++) {
            for (String module : QV.targetModules()) {
                String prefix = "base_model.model.model.layers." + layer + ".self_attn." + module;
                tensors.put(prefix + ".lora_A.weight", SafeTensorsWriter.F32Tensor.of(new long[] {4, 128}, new float[4 * 128]));
                tensors.put(prefix + ".lora_B.weight", SafeTensorsWriter.F32Tensor.of(new long[] {128, 4}, new float[128 * 4]));
            }
        }
        SafeTensorsWriter.write(wide.resolve(LoraAdapter.WEIGHTS_FILE), tensors);
        PeftConfig.write(new LoraConfig(4, 8, 0, QV.targetModules(), false, "some-org/mha-model"), wide);
        HttpResponse<Buffer> mismatch = importParts("sk-acme", "bot", wide);
        refused(mismatch, 400, "adapter_model", "layers.0.self_attn.v_proj.lora_B.weight has shape (128, 4), expected (64, 4)");
        assertThat(mismatch.bodyAsString()).contains("some-org/mha-model").doesNotContain(dir.toString());

        // A PEFT feature loraplane does not run is the config's fault.
        Path dora = Files.createDirectories(dir.resolve("dora"));
        Files.copy(adapter.resolve(LoraAdapter.WEIGHTS_FILE), dora.resolve(LoraAdapter.WEIGHTS_FILE));
        Files.writeString(dora.resolve(PeftConfig.FILE), Files.readString(adapter.resolve(PeftConfig.FILE))
                .replace("\"use_dora\" : false", "\"use_dora\" : true"));
        refused(importParts("sk-acme", "bot", dora), 400, "adapter_config", "use_dora");

        assertThat(get("/v1/adapters", "sk-acme").bodyAsJsonObject().getJsonArray("data")).isEmpty();
        assertThat(get("/v1/adapters/bot", "sk-acme").statusCode()).isEqualTo(404);
        assertThat(storedFiles()).as("no adapter file and no upload left behind").isZero();
    }

    private static void refused(HttpResponse<Buffer> response, int status, String param, String message) {
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
        JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
        assertThat(error.getString("param")).as(response.bodyAsString()).isEqualTo(param);
        assertThat(error.getString("message")).contains(message);
    }
}
