package io.metalboot.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An endpoint's answer. The server adds Content-Length and the connection headers.
 *
 * @param status       HTTP status code, 100..599
 * @param contentType  Content-Type, or null for none (e.g. with 204)
 * @param body         the body bytes (empty, never null); not copied, do not change them
 * @param headers      further response headers by name
 */
public record HttpReply(int status, String contentType, byte[] body, Map<String, String> headers) {

    public static final String TEXT = "text/plain; charset=utf-8";
    public static final String JSON = "application/json";

    public HttpReply {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status 100..599, not " + status);
        }
        body = body == null ? new byte[0] : body;
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    public static HttpReply text(int status, String text) {
        return new HttpReply(status, TEXT, text.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    public static HttpReply json(int status, byte[] json) {
        return new HttpReply(status, JSON, json, Map.of());
    }

    public static HttpReply of(int status, String contentType, byte[] body) {
        return new HttpReply(status, contentType, body, Map.of());
    }

    /** No body, e.g. 204. */
    public static HttpReply empty(int status) {
        return new HttpReply(status, null, new byte[0], Map.of());
    }

    /** This reply with one more header (replacing one of the same name). */
    public HttpReply withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new HttpReply(status, contentType, body, more);
    }
}
