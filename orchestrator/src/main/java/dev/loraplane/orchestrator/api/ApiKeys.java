package dev.loraplane.orchestrator.api;

import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * Bearer API keys mapped to tenants. With no keys configured every request is the {@code default}
 * tenant: the control plane allows that only when it listens on loopback.
 */
public final class ApiKeys {

    public static final String DEFAULT_TENANT = "default";
    private static final String TENANT = "loraplane.tenant";

    private final Map<String, String> tenantsByKey;

    public ApiKeys(Map<String, String> tenantsByKey) {
        this.tenantsByKey = Map.copyOf(tenantsByKey);
    }

    public boolean isOpen() {
        return tenantsByKey.isEmpty();
    }

    /** The route handler: resolves the tenant or fails with 401. */
    public void authenticate(RoutingContext ctx) {
        if (isOpen()) {
            ctx.put(TENANT, DEFAULT_TENANT);
            ctx.next();
            return;
        }
        String header = ctx.request().getHeader("Authorization");
        String tenant = header != null && header.startsWith("Bearer ") ? tenantsByKey.get(header.substring(7).strip()) : null;
        if (tenant == null) {
            ctx.fail(401);
            return;
        }
        ctx.put(TENANT, tenant);
        ctx.next();
    }

    public static String tenant(RoutingContext ctx) {
        return ctx.get(TENANT);
    }
}
