package io.metalboot.http;

import java.util.Optional;

/**
 * Runs before every endpoint of a server (not before its static mounts, which are public by
 * nature), on the endpoint's virtual thread: the seam for authentication. Return a reply to answer
 * the call yourself (a 401, say) and skip the endpoint, or empty to let it through.
 */
@FunctionalInterface
public interface HttpFilter {
    Optional<HttpReply> filter(HttpCall call) throws Exception;
}
