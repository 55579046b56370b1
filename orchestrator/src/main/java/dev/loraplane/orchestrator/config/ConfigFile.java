package dev.loraplane.orchestrator.config;

import dev.loraplane.engine.accelerator.AcceleratorDevice;
import dev.loraplane.orchestrator.ControlPlane;
import dev.loraplane.orchestrator.cost.PriceTable;
import dev.loraplane.orchestrator.executor.LocalExecutor;
import dev.loraplane.orchestrator.jobs.BaseModel;
import dev.loraplane.orchestrator.jobs.Quotas;
import dev.loraplane.orchestrator.jobs.RetryPolicy;
import dev.loraplane.orchestrator.store.Database;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The control plane's configuration file, {@code config.yaml}, as {@link ConfigLoader} reads it: the
 * embedded defaults, then the file, then {@code LORAPLANE_*} variables and command-line options.
 * Keys are snake_case; see {@code defaults.yaml} beside this class for every key and its default.
 *
 * @param dataDir null when neither the file nor the command line names one (then {@code $LORAPLANE_HOME})
 * @param apiKeys bearer key → tenant; empty for the single local tenant on loopback
 * @param baseModels the base models jobs may fine-tune, besides the built-in ones
 * @param prices USD per device-hour over {@link PriceTable#DEFAULTS}
 * @param serving how {@code loraplane up} serves completions
 */
public record ConfigFile(Server server, DatabaseSettings database, Path dataDir, Map<String, String> apiKeys,
        List<BaseModelSettings> baseModels, Executors executors, Quotas quotas, RetryPolicy retries,
        Map<String, Double> prices, ServingSettings serving) {

    public ConfigFile {
        apiKeys = Map.copyOf(apiKeys);
        baseModels = List.copyOf(baseModels);
        prices = Map.copyOf(prices);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < baseModels.size(); i++) {
            if (!names.add(baseModels.get(i).name())) {
                throw new InvalidValue("base_models[" + i + "].name", "is '" + baseModels.get(i).name()
                        + "', the name of an earlier base model; expected each name once");
            }
        }
        for (Map.Entry<String, String> key : apiKeys.entrySet()) {
            if (key.getKey().isBlank() || key.getValue().isBlank()) {
                throw new InvalidValue("api_keys", "has an empty key or tenant; expected key: tenant pairs");
            }
        }
        for (Map.Entry<String, Double> price : prices.entrySet()) {
            if (price.getValue() < 0 || price.getValue().isNaN()) {
                throw new InvalidValue("prices." + price.getKey(), "is " + price.getValue() + "; expected USD per device-hour, 0 or more");
            }
        }
    }

    /**
     * @param host the address the API binds; other than loopback only with {@code api_keys}
     * @param port 0 for any free port
     */
    public record Server(String host, int port, long maxUploadBytes) {

        public Server {
            if (host == null || host.isBlank()) {
                throw new InvalidValue("host", "is empty; expected an address such as 127.0.0.1 or 0.0.0.0");
            }
            if (port < 0 || port > 65535) {
                throw new InvalidValue("port", "is " + port + "; expected 0 to 65535 (0: any free port)");
            }
            if (maxUploadBytes <= 0) {
                throw new InvalidValue("max_upload_bytes", "is " + maxUploadBytes + "; expected a positive number of bytes");
            }
        }
    }

    /**
     * @param url a JDBC URL ({@code jdbc:postgresql://…} or {@code jdbc:h2:…}); null for the embedded H2
     *     database under the data directory
     * @param poolSize connections the PostgreSQL pool holds at most
     */
    public record DatabaseSettings(String url, int poolSize) {

        public DatabaseSettings {
            if (url != null && !url.startsWith("jdbc:postgresql:") && !url.startsWith("jdbc:h2:")) {
                throw new InvalidValue("url", "is '" + url + "'; expected jdbc:postgresql://HOST:PORT/DB?user=… or jdbc:h2:…");
            }
            if (poolSize < 1) {
                throw new InvalidValue("pool_size", "is " + poolSize + "; expected 1 or more");
            }
        }

        /** The configured database, or null for the embedded default. */
        public Database open() {
            return url == null ? null : Database.of(url, poolSize);
        }
    }

    /**
     * A base model as configured; {@code learning_rate}, {@code max_seq_len} and
     * {@code tokens_per_second} may be left out. See {@link BaseModel}.
     */
    public record BaseModelSettings(String name, Path path, Double learningRate, Integer maxSeqLen,
            Map<String, Double> tokensPerSecond) {

        public static final double DEFAULT_LEARNING_RATE = 2e-4;
        public static final int DEFAULT_MAX_SEQ_LEN = 2048;

        public BaseModelSettings {
            if (name == null || name.isBlank()) {
                throw new InvalidValue("name", "is missing; expected the name jobs use for this model");
            }
            if (path == null) {
                throw new InvalidValue("path", "is missing; expected the model's Hugging Face directory");
            }
            learningRate = learningRate == null ? DEFAULT_LEARNING_RATE : learningRate;
            maxSeqLen = maxSeqLen == null ? DEFAULT_MAX_SEQ_LEN : maxSeqLen;
            tokensPerSecond = tokensPerSecond == null ? Map.of() : Map.copyOf(tokensPerSecond);
            if (!(learningRate > 0)) {
                throw new InvalidValue("learning_rate", "is " + learningRate + "; expected a positive number such as 2.0e-4");
            }
            if (maxSeqLen < 1) {
                throw new InvalidValue("max_seq_len", "is " + maxSeqLen + "; expected a positive number of tokens");
            }
        }

        public BaseModel toBaseModel() {
            return new BaseModel(name, path, learningRate, maxSeqLen, tokensPerSecond);
        }
    }

    /**
     * Completions served beside the control plane (vLLM's engine arguments).
     *
     * @param base the served base model: the built-in one when null, else a name in {@code base_models}
     * @param maxBatch sequences decoded together ({@code max_num_seqs})
     * @param maxModelLen tokens a sequence may hold, prompt and reply; 0: the model's, at most 2048
     * @param maxLoras distinct adapters in one step, each in a slot of stacked factors
     * @param maxCpuLoras adapters kept loaded in host memory
     * @param maxLoraRank the largest adapter rank served
     * @param queue requests that may wait before a 429
     * @param pin adapters kept loaded from the start, {@code tenant/name} or a name of the local tenant
     */
    public record ServingSettings(String base, int maxBatch, int maxModelLen, int maxLoras, int maxCpuLoras, int maxLoraRank,
            int queue, List<String> pin) {

        public ServingSettings {
            pin = pin == null ? List.of() : List.copyOf(pin);
            positive("max_batch", maxBatch);
            positive("max_loras", maxLoras);
            positive("max_cpu_loras", maxCpuLoras);
            positive("max_lora_rank", maxLoraRank);
            if (maxModelLen < 0) {
                throw new InvalidValue("max_model_len", "is " + maxModelLen + "; expected 0 (the model's) or a number of tokens");
            }
            if (queue < 0) {
                throw new InvalidValue("queue", "is " + queue + "; expected 0 or more");
            }
            if (pin.stream().anyMatch(name -> name == null || name.isBlank())) {
                throw new InvalidValue("pin", "has an empty name; expected adapter names");
            }
        }

        private static void positive(String key, int value) {
            if (value < 1) {
                throw new InvalidValue(key, "is " + value + "; expected 1 or more");
            }
        }
    }

    /** The executors that run training attempts: this machine's, remote agents, and a Kubernetes cluster. */
    public record Executors(LocalExecutorSettings local, AgentSettings agents, KubernetesSettings kubernetes) {}

    /**
     * Training attempts as Kubernetes Jobs (module {@code k8s}), off unless {@code enabled}; the client
     * finds the cluster as kubectl does (in-cluster service account, else {@code ~/.kube/config}).
     *
     * @param images device type (cpu, nvidia, amd) → the worker image; a type left out runs its plugin's default
     * @param dataClaim the PersistentVolumeClaim holding the data directory, mounted at the same path in workers
     * @param kueueQueue the Kueue LocalQueue that admits the Jobs, or null without Kueue
     * @param cpuSlots CPU-only attempts the cluster runs at once
     * @param leaseName the Lease that replicas elect the scheduling leader with
     */
    public record KubernetesSettings(boolean enabled, String namespace, Map<String, String> images, String dataClaim,
            String kueueQueue, String cpuRequest, String memoryRequest, int cpuSlots, long activeDeadlineSeconds,
            int ttlSecondsAfterFinished, String leaseName) {

        public KubernetesSettings {
            images = Map.copyOf(images);
            if (enabled && (namespace == null || namespace.isBlank())) {
                throw new InvalidValue("namespace", "is empty; expected the namespace training Jobs run in");
            }
            if (cpuSlots < 0 || activeDeadlineSeconds < 1 || ttlSecondsAfterFinished < 0) {
                throw new InvalidValue("kubernetes", "has a negative cpu_slots or ttl_seconds_after_finished, or an"
                        + " active_deadline_seconds below 1");
            }
        }
    }

    /**
     * @param tokens bearer tokens agents may join with; empty: the one {@code loraplane up} makes and prints
     * @param timeoutSeconds how long an agent may miss heartbeats before it loses its attempts
     */
    public record AgentSettings(List<String> tokens, long timeoutSeconds) {

        public AgentSettings {
            tokens = List.copyOf(tokens);
            if (tokens.stream().anyMatch(String::isBlank)) {
                throw new InvalidValue("tokens", "has an empty token; expected none, or non-empty tokens");
            }
            if (timeoutSeconds < 3) {
                throw new InvalidValue("timeout_seconds", "is " + timeoutSeconds + "; expected 3 or more");
            }
        }
    }

    /**
     * @param cpuSlots CPU training jobs at once (0: none on the CPU)
     * @param gpus which of this host's GPUs it may use
     * @param graceSeconds how long a stopped worker gets to checkpoint before it is killed
     */
    public record LocalExecutorSettings(int cpuSlots, Gpus gpus, long graceSeconds) {

        public LocalExecutorSettings {
            if (cpuSlots < 0) {
                throw new InvalidValue("cpu_slots", "is " + cpuSlots + "; expected 0 or more");
            }
            if (graceSeconds < 0) {
                throw new InvalidValue("grace_seconds", "is " + graceSeconds + "; expected 0 or more");
            }
        }
    }

    /**
     * The control plane this configuration describes.
     *
     * @param dataDir where data lives, already chosen between the command line, this file and the home
     * @param workerCommand how the local executor starts a worker, before {@code --spec FILE}
     * @param builtIn base models always offered, whatever the file says
     * @param detectGpus this host's GPUs; asked only when {@code gpus} is not {@code none}
     * @param agentToken the token agents join with when the file names none
     */
    public ControlPlane.Config toControlPlane(Path dataDir, List<String> workerCommand, List<BaseModel> builtIn,
            Supplier<List<AcceleratorDevice>> detectGpus, Supplier<String> agentToken) {
        Map<String, BaseModel> models = new LinkedHashMap<>();
        builtIn.forEach(m -> models.put(m.name(), m));
        for (BaseModelSettings configured : baseModels) {
            if (models.containsKey(configured.name())) {
                throw new ConfigException("base_models: '" + configured.name() + "' is built in; give yours another name");
            }
            models.put(configured.name(), configured.toBaseModel());
        }
        LocalExecutorSettings settings = executors.local();
        List<AcceleratorDevice> gpus = settings.gpus().equals(Gpus.NONE) ? List.of() : settings.gpus().select(detectGpus.get());
        LocalExecutor.Config local = new LocalExecutor.Config(workerCommand, settings.cpuSlots(), gpus, dataDir.resolve("jobs"),
                settings.graceSeconds());
        return new ControlPlane.Config(dataDir, server.host(), server.port(), apiKeys, models, database.open(), local, quotas,
                retries, new PriceTable(prices).over(PriceTable.DEFAULTS), server.maxUploadBytes(),
                new ControlPlane.Agents(executors.agents().tokens().isEmpty() ? Set.of(agentToken.get())
                        : Set.copyOf(executors.agents().tokens()), executors.agents().timeoutSeconds()));
    }
}
