package dev.loraplane.serving.api;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/** {@code loraplane serve}: the serving routes alone on their own port, with {@code /metrics}. */
public final class ServingVerticle extends VerticleBase {

    private final CompletionBackend backend;
    private final PrometheusMeterRegistry meters;
    private final String host;
    private final int port;
    private final long maxBodyBytes;
    private HttpServer server;

    public ServingVerticle(CompletionBackend backend, PrometheusMeterRegistry meters, String host, int port, long maxBodyBytes) {
        this.backend = backend;
        this.meters = meters;
        this.host = host;
        this.port = port;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes));
        ServingApi api = new ServingApi(vertx, backend, ctx -> "default");
        api.completionRoutes(router);
        api.serverRoutes(router);
        router.get("/metrics").handler(ctx -> vertx.executeBlocking(meters::scrape)
                .onSuccess(text -> ctx.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(text))
                .onFailure(ctx::fail));
        router.route().failureHandler(ServingErrors::handle);
        router.route().last().handler(ctx -> ctx.fail(404));
        return vertx.createHttpServer().requestHandler(router).listen(port, host).onSuccess(s -> server = s);
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return server.actualPort();
    }
}
