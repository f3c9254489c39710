package io.metalboot.appliance.api;

import io.metalboot.http.HttpCall;
import io.metalboot.http.HttpFilter;
import io.metalboot.http.HttpReply;
import java.util.Optional;

/**
 * Lets a call through only with {@code Authorization: Bearer <the API token>}. A refusal is a 401
 * with no detail (nothing says whether a token was missing, malformed or stale); health checks
 * pass without one.
 */
final class BearerTokenFilter implements HttpFilter {
    private final ApiToken token;

    BearerTokenFilter(ApiToken token) {
        this.token = token;
    }

    @Override
    public Optional<HttpReply> filter(HttpCall call) throws Exception {
        if (call.path().equals("/healthz") || call.path().equals("/readyz")) {
            return Optional.empty();
        }
        Optional<String> presented = call.bearerCredential();
        if (presented.isPresent() && token.matches(presented.get())) {
            return Optional.empty();
        }
        return Optional.of(HttpReply.unauthorized());
    }
}
