package io.metalboot.http;

/**
 * A dynamic response. Runs on a virtual thread of its own, never on an event loop, so it may
 * block (a journal fsync, a lock); except one wrapped by {@link #nonBlocking}. An exception
 * becomes a 500 with a short text body and one WARN line; its message never reaches the client.
 */
@FunctionalInterface
public interface HttpEndpoint {
    HttpReply handle(HttpCall call) throws Exception;

    /**
     * {@code endpoint}, declared never to block: it answers from memory (an entry script, say).
     * For a request without a body it runs, with the filters before it, right on the connection's
     * event loop, which saves the hand-over to a virtual thread and back that dominates a small
     * reply's cost under load. A request with a body still gets a virtual thread, since reading
     * a body waits for the event loop. Blocking in it stalls every connection of that loop.
     */
    static HttpEndpoint nonBlocking(HttpEndpoint endpoint) {
        return endpoint instanceof NonBlocking ? endpoint : new NonBlocking(endpoint);
    }

    /** What {@link #nonBlocking} makes. */
    record NonBlocking(HttpEndpoint endpoint) implements HttpEndpoint {
        public NonBlocking {
            if (endpoint == null) {
                throw new IllegalArgumentException("no endpoint");
            }
        }

        @Override
        public HttpReply handle(HttpCall call) throws Exception {
            return endpoint.handle(call);
        }
    }
}
