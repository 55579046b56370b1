package dev.loraplane.orchestrator.api;

import dev.loraplane.orchestrator.metrics.ControlPlaneMetrics;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Times every API request into {@code loraplane_http_server_requests_seconds{method,route,status}},
 * where route is the template the request matched ({@code /v1/fine_tuning/jobs/:id}), never its path.
 *
 * <p>Vert.x knows the matched route only while that route's handler runs: once a handler fails, the
 * failure handler's route (which has no path) is current when the response ends. So each template
 * gets a marker route, ahead of every other route and with the same methods, that notes the template
 * on the request; the first marker to match is the route Vert.x itself picks.
 */
final class RequestMetrics {

    private static final String ROUTE = "loraplane.route";

    private RequestMetrics() {}

    /** Instruments a router whose routes are all registered. */
    static void install(Router router, ControlPlaneMetrics metrics) {
        List<Route> templates = router.getRoutes().stream().filter(r -> r.getPath() != null && r.isExactPath()).toList();
        int order = -templates.size() - 1;
        router.route().order(order++).handler(ctx -> time(ctx, metrics));
        for (Route template : templates) {
            String path = template.getPath();
            Route marker = router.route(path).order(order++);
            if (template.methods() != null) {
                template.methods().forEach(marker::method);
            }
            marker.handler(ctx -> {
                if (ctx.get(ROUTE) == null) {
                    ctx.put(ROUTE, path);
                }
                ctx.next();
            });
        }
    }

    private static void time(RoutingContext ctx, ControlPlaneMetrics metrics) {
        long start = System.nanoTime();
        ctx.addEndHandler(ended -> metrics.httpRequest(ctx.request().method().name(), ctx.get(ROUTE),
                ctx.response().getStatusCode(), System.nanoTime() - start));
        ctx.next();
    }
}
