package dev.loraplane.orchestrator.api;

import dev.loraplane.orchestrator.store.AdapterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/**
 * Routes another module serves on the control plane's port, under its API keys, body limit and
 * request metrics (serving's {@code /v1/chat/completions} in {@code loraplane up}); they bring their
 * own failure handler when their errors are not the control plane's.
 */
@FunctionalInterface
public interface RouteMount {

    /**
     * Adds routes to {@code router}; {@link ApiKeys#tenant} gives each request's tenant.
     *
     * @param adapters the adapter registry
     */
    void mount(Vertx vertx, Router router, AdapterRegistry adapters);
}
