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
    private static final String SCHEME = "Bearer ";

    private final ApiToken token;

    BearerTokenFilter(ApiToken token) {
        this.token = token;
    }

    @Override
    public Optional<HttpReply> filter(HttpCall call) throws Exception {
        if (call.path().equals("/healthz") || call.path().equals("/readyz")) {
            return Optional.empty();
        }
        String authorization = call.header("Authorization");
        boolean bearer = authorization != null && authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
        if (bearer && token.matches(authorization.substring(SCHEME.length()).strip())) {
            return Optional.empty();
        }
        return Optional.of(HttpReply.empty(401).withHeader("WWW-Authenticate", "Bearer"));
    }
}
