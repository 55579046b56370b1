package dev.loraplane.orchestrator.api;

import dev.loraplane.orchestrator.store.AdapterRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.ext.web.Router;

/**
 * Routes another module serves on the control plane's port, under its API keys, body limit, metrics
 * and error handling (serving's {@code /v1/chat/completions} in {@code loraplane up}).
 */
@FunctionalInterface
public interface RouteMount {

    /**
     * Adds routes to {@code router}; {@link ApiKeys#tenant} gives each request's tenant.
     *
     * @param adapters the adapter registry
     * @param meters where to register meters, so one {@code /metrics} carries them
     */
    void mount(Router router, AdapterRegistry adapters, MeterRegistry meters);
}
