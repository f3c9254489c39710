package io.metalboot.appliance.http;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** From a request path (as sent) to what answers it: an endpoint, an asset directory, or nothing. */
final class RouteTable {

    sealed interface Target {
    }

    record EndpointTarget(HttpEndpoint endpoint) implements Target {
    }

    /** {@code remainder}: the path below the mount prefix, still percent-encoded. */
    record AssetTarget(AssetDirectory directory, String remainder) implements Target {
    }

    private record Prefix(String prefix, Object answer) {
    }

    private final Map<String, HttpEndpoint> exact = new HashMap<>();
    private final List<Prefix> prefixes = new ArrayList<>();

    RouteTable(List<HttpRoute> routes, Map<String, AssetDirectory> mounts) {
        for (HttpRoute route : routes) {
            if (route.prefix()) {
                addPrefix(route.path(), route.endpoint());
            } else if (exact.putIfAbsent(route.path(), route.endpoint()) != null) {
                throw new IllegalArgumentException("two routes for " + route.path());
            }
        }
        mounts.forEach(this::addPrefix);
        // Longest first, so that "/api/v1/machines/" wins over "/api/v1/".
        prefixes.sort(Comparator.comparingInt((Prefix p) -> p.prefix().length()).reversed());
    }

    private void addPrefix(String prefix, Object answer) {
        if (prefixes.stream().anyMatch(p -> p.prefix().equals(prefix))) {
            throw new IllegalArgumentException("two routes for " + prefix);
        }
        prefixes.add(new Prefix(prefix, answer));
    }

    /** {@code rawPath}: the request path without the query, not decoded; null if nothing matches. */
    Target match(String rawPath) {
        HttpEndpoint endpoint = exact.get(rawPath);
        if (endpoint != null) {
            return new EndpointTarget(endpoint);
        }
        for (Prefix prefix : prefixes) {
            if (rawPath.startsWith(prefix.prefix())) {
                return prefix.answer() instanceof AssetDirectory directory
                        ? new AssetTarget(directory, rawPath.substring(prefix.prefix().length()))
                        : new EndpointTarget((HttpEndpoint) prefix.answer());
            }
        }
        return null;
    }
}
