package io.metalboot.http;

import java.util.Optional;

/**
 * Runs before every endpoint of a server (not before its static mounts, which are public by
 * nature), on the endpoint's thread: the seam for authentication. Before a
 * {@link HttpEndpoint#nonBlocking} endpoint that is the event loop, so a filter must not block
 * on a server that has such endpoints (checking a token in memory is fine). Return a reply to answer
 * the call yourself (a 401, say) and skip the endpoint, or empty to let it through.
 */
@FunctionalInterface
public interface HttpFilter {
    Optional<HttpReply> filter(HttpCall call) throws Exception;
}
