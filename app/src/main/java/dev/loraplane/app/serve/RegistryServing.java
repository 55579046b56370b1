package dev.loraplane.app.serve;

import dev.loraplane.orchestrator.api.ApiKeys;
import dev.loraplane.orchestrator.api.RouteMount;
import dev.loraplane.orchestrator.evals.EvalBackend;
import dev.loraplane.orchestrator.store.Adapter;
import dev.loraplane.orchestrator.store.AdapterRegistry;
import dev.loraplane.engine.accelerator.AcceleratorPlugin;
import dev.loraplane.engine.accelerator.Accelerators;
import dev.loraplane.engine.accelerator.Detection;
import dev.loraplane.orchestrator.cost.PriceTable;
import dev.loraplane.serving.DevicePrice;
import dev.loraplane.serving.Serving;
import dev.loraplane.serving.adapters.AdapterVersion;
import dev.loraplane.serving.api.ServingApi;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Serving inside {@code loraplane up}: the completion routes on the control plane's port, behind its
 * API keys, with adapters resolved straight from its registry — each tenant reaches only its own, as
 * the registry's API does, and the newest version of a name is served without a restart.
 */
public final class RegistryServing implements RouteMount, AutoCloseable {

    private final AtomicReference<AdapterRegistry> registry = new AtomicReference<>();
    private final Serving serving;

    public RegistryServing(Path modelDir, String name, MeterRegistry meters, Serving.Settings settings) {
        this.serving = Serving.open(modelDir, name, this::resolve, RegistryServing::key, tenant -> List.of(), meters, settings);
    }

    /**
     * What an hour of serving costs at {@code prices}: serving decodes on the host CPU (the engine loads
     * the served model there), priced as the cpu plugin names this host's CPU.
     */
    public static DevicePrice cpuPrice(PriceTable prices) {
        String product = Accelerators.plugin("cpu").map(AcceleratorPlugin::detect).filter(Detection::present)
                .map(d -> d.devices().get(0).product()).orElse("cpu");
        return new DevicePrice("cpu", prices.usdPerHour("cpu", product));
    }

    /** The cache's name for a tenant's adapter; adapter names never hold a slash. */
    private static String key(String tenant, String adapter) {
        return tenant + "/" + adapter;
    }

    private Optional<AdapterVersion> resolve(String key) {
        AdapterRegistry adapters = registry.get();
        int slash = key.lastIndexOf('/');
        if (adapters == null || slash < 0) {
            return Optional.empty();
        }
        List<Adapter> versions = adapters.adapterVersions(key.substring(0, slash), key.substring(slash + 1));
        return versions.stream().findFirst().map(a -> new AdapterVersion(key, a.version(), a.baseModel(), a.sha256(),
                () -> Path.of(a.path())));
    }

    /**
     * Keeps {@code tenant}'s adapter {@code name} loaded from now on; call once mounted.
     *
     * @return completes once it is loaded; fails when the registry has no such adapter for that base
     */
    public CompletableFuture<Void> pin(String tenant, String name) {
        return serving.pin(key(tenant, name));
    }

    /** Evals on this serving, priced as {@code deviceType} {@code deviceProduct}. */
    public EvalBackend evals(String deviceType, String deviceProduct) {
        return new ServingEvals(serving.backend(), serving.scorer(), deviceType, deviceProduct);
    }

    @Override
    public void mount(Vertx vertx, Router router, AdapterRegistry adapters) {
        registry.set(adapters);
        new ServingApi(vertx, serving.backend(), ApiKeys::tenant).completionRoutes(router);
    }

    @Override
    public void close() {
        serving.close();
    }
}
