package io.metalboot.http;

/**
 * A dynamic response. Runs on a virtual thread of its own, never on an event loop, so it may
 * block (a journal fsync, a lock). An exception becomes a 500 with a short text body and one
 * WARN line; its message never reaches the client.
 */
@FunctionalInterface
public interface HttpEndpoint {
    HttpReply handle(HttpCall call) throws Exception;
}
