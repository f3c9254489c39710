package io.metalboot.http;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /healthz}: 200 while the process runs. {@code GET /readyz}: 200 once
 * {@code ready} says so (every enabled service started), 503 before: what a load balancer or
 * systemd's watchdog script asks.
 */
public final class HealthRoutes {
    private HealthRoutes() {
    }

    public static List<HttpRoute> routes(BooleanSupplier ready) {
        return List.of(
                HttpRoute.get("/healthz", call -> HttpReply.text(200, "ok\n")),
                HttpRoute.get("/readyz", call -> ready.getAsBoolean() ? HttpReply.text(200, "ready\n")
                        : HttpReply.text(503, "starting\n")));
    }
}
