package io.metalboot.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which requests an endpoint answers: a method (or any) and a path pattern. A pattern is literal
 * segments and parameters: {@code /api/v1/machines/{mac}/state}; a last parameter written
 * {@code {name...}} takes the rest of the path, slashes included
 * ({@code /api/v1/machines/{mac}/labels/{key...}}). A prefix route ({@link #prefix}) answers
 * every path under it. Paths are matched as sent, before percent-decoding; parameter values are
 * decoded. A path some route matches, but not for this method, is answered 405 with Allow.
 *
 * @param methods the methods answered, upper case; empty: any
 */
public record HttpRoute(Set<String> methods, String path, boolean prefix, HttpEndpoint endpoint) {

    public HttpRoute {
        methods = Set.copyOf(methods);
        if (path == null || !path.startsWith("/") || endpoint == null) {
            throw new IllegalArgumentException("a route needs a path starting with '/' and an endpoint");
        }
        if (path.indexOf('?') >= 0 || path.indexOf('%') >= 0) {
            throw new IllegalArgumentException("a route path has no query and no percent-encoding: " + path);
        }
        if (prefix && !path.endsWith("/")) {
            throw new IllegalArgumentException("a prefix route ends with '/': " + path);
        }
        if (prefix && path.indexOf('{') >= 0) {
            throw new IllegalArgumentException("a prefix route has no parameters: " + path);
        }
        segments(path); // checks the parameters
    }

    /** Any method, this path or pattern. */
    public static HttpRoute exact(String path, HttpEndpoint endpoint) {
        return new HttpRoute(Set.of(), path, false, endpoint);
    }

    /** Any method, every path under {@code prefix} (which ends with '/'). */
    public static HttpRoute prefix(String prefix, HttpEndpoint endpoint) {
        return new HttpRoute(Set.of(), prefix, true, endpoint);
    }

    /** GET, and HEAD (the server drops the body). */
    public static HttpRoute get(String pattern, HttpEndpoint endpoint) {
        return new HttpRoute(Set.of("GET", "HEAD"), pattern, false, endpoint);
    }

    public static HttpRoute post(String pattern, HttpEndpoint endpoint) {
        return new HttpRoute(Set.of("POST"), pattern, false, endpoint);
    }

    public static HttpRoute put(String pattern, HttpEndpoint endpoint) {
        return new HttpRoute(Set.of("PUT"), pattern, false, endpoint);
    }

    public static HttpRoute delete(String pattern, HttpEndpoint endpoint) {
        return new HttpRoute(Set.of("DELETE"), pattern, false, endpoint);
    }

    boolean answers(String method) {
        return methods.isEmpty() || methods.contains(method);
    }

    /** One piece of a pattern: literal text, a parameter, or the rest-of-path parameter. */
    record Segment(String text, boolean parameter, boolean rest) {
    }

    static List<Segment> segments(String pattern) {
        List<Segment> segments = new ArrayList<>();
        String[] parts = pattern.substring(1).split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part.startsWith("{") && part.endsWith("}")) {
                boolean rest = part.endsWith("...}");
                String name = part.substring(1, part.length() - (rest ? 4 : 1));
                if (!name.matches("[a-z][a-z0-9-]*")) {
                    throw new IllegalArgumentException("a parameter is {name} in lower case: " + pattern);
                }
                if (rest && i != parts.length - 1) {
                    throw new IllegalArgumentException("{" + name + "...} must be the last segment: " + pattern);
                }
                segments.add(new Segment(name, true, rest));
            } else if (part.indexOf('{') >= 0 || part.indexOf('}') >= 0) {
                throw new IllegalArgumentException("a parameter is a whole segment: " + pattern);
            } else {
                segments.add(new Segment(part, false, false));
            }
        }
        return segments;
    }
}
