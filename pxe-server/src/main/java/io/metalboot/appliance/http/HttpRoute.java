package io.metalboot.appliance.http;

/**
 * Which requests an endpoint answers: one exact path (e.g. "/boot.ipxe") or every path under a
 * prefix (e.g. "/api/v1/"). Paths are matched as sent, before percent-decoding. An exact route
 * wins over prefixes; among prefixes (asset mounts included) the longest wins.
 */
public record HttpRoute(String path, boolean prefix, HttpEndpoint endpoint) {

    public HttpRoute {
        if (path == null || !path.startsWith("/") || endpoint == null) {
            throw new IllegalArgumentException("a route needs a path starting with '/' and an endpoint");
        }
        if (path.indexOf('?') >= 0 || path.indexOf('%') >= 0) {
            throw new IllegalArgumentException("a route path has no query and no percent-encoding: " + path);
        }
        if (prefix && !path.endsWith("/")) {
            throw new IllegalArgumentException("a prefix route ends with '/': " + path);
        }
    }

    public static HttpRoute exact(String path, HttpEndpoint endpoint) {
        return new HttpRoute(path, false, endpoint);
    }

    public static HttpRoute prefix(String prefix, HttpEndpoint endpoint) {
        return new HttpRoute(prefix, true, endpoint);
    }
}
