package io.metalboot.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * From a request's method and path (as sent) to what answers it: an endpoint with its path
 * parameters, an asset directory, a 405 with the methods that would be answered, or nothing.
 * Patterns win over prefixes; among patterns the one with more literal segments; among prefixes
 * (asset mounts included) the longest.
 */
final class RouteTable {

    sealed interface Target {
    }

    record EndpointTarget(HttpEndpoint endpoint, Map<String, String> parameters) implements Target {
    }

    /** {@code remainder}: the path below the mount prefix, still percent-encoded. */
    record AssetTarget(AssetDirectory directory, String remainder) implements Target {
    }

    /** The path is known, the method is not: 405, with these in Allow. */
    record MethodNotAllowed(Set<String> allowed) implements Target {
    }

    private record Pattern(HttpRoute route, List<HttpRoute.Segment> segments, int literals) {
    }

    private record Prefix(String prefix, Object answer) {
    }

    private final List<Pattern> patterns = new ArrayList<>();
    private final List<Prefix> prefixes = new ArrayList<>();

    RouteTable(List<HttpRoute> routes, Map<String, AssetDirectory> mounts) {
        for (HttpRoute route : routes) {
            if (route.prefix()) {
                addPrefix(route.path(), route);
            } else {
                addPattern(route);
            }
        }
        mounts.forEach(this::addPrefix);
        patterns.sort(Comparator.comparingInt(Pattern::literals).reversed());
        // Longest first, so that "/api/v1/machines/" wins over "/api/v1/".
        prefixes.sort(Comparator.comparingInt((Prefix p) -> p.prefix().length()).reversed());
    }

    private void addPattern(HttpRoute route) {
        List<HttpRoute.Segment> segments = HttpRoute.segments(route.path());
        String shape = shape(segments);
        for (Pattern other : patterns) {
            boolean overlapping = other.route().methods().isEmpty() || route.methods().isEmpty()
                    || other.route().methods().stream().anyMatch(route.methods()::contains);
            if (overlapping && shape(other.segments()).equals(shape)) {
                throw new IllegalArgumentException("two routes for " + route.path());
            }
        }
        int literals = (int) segments.stream().filter(s -> !s.parameter()).count();
        patterns.add(new Pattern(route, segments, literals));
    }

    /** The pattern with parameter names blanked: "/a/{x}" and "/a/{y}" are one route. */
    private static String shape(List<HttpRoute.Segment> segments) {
        StringBuilder shape = new StringBuilder();
        segments.forEach(s -> shape.append('/').append(s.rest() ? "{...}" : s.parameter() ? "{}" : s.text()));
        return shape.toString();
    }

    private void addPrefix(String prefix, Object answer) {
        if (prefixes.stream().anyMatch(p -> p.prefix().equals(prefix))) {
            throw new IllegalArgumentException("two routes for " + prefix);
        }
        prefixes.add(new Prefix(prefix, answer));
    }

    /**
     * {@code rawPath}: the request path without the query, not decoded; null if nothing matches.
     *
     * @throws IllegalArgumentException for a parameter whose percent-encoding is malformed
     */
    Target match(String method, String rawPath) {
        Set<String> allowed = null;
        String[] parts = rawPath.substring(1).split("/", -1);
        for (Pattern pattern : patterns) {
            Map<String, String> parameters = parameters(pattern.segments(), parts);
            if (parameters == null) {
                continue;
            }
            if (pattern.route().answers(method)) {
                return new EndpointTarget(pattern.route().endpoint(), parameters);
            }
            if (allowed == null) {
                allowed = new TreeSet<>();
            }
            allowed.addAll(pattern.route().methods());
        }
        if (allowed != null) {
            return new MethodNotAllowed(allowed);
        }
        for (Prefix prefix : prefixes) {
            if (rawPath.startsWith(prefix.prefix())) {
                return prefix.answer() instanceof AssetDirectory directory
                        ? new AssetTarget(directory, rawPath.substring(prefix.prefix().length()))
                        : new EndpointTarget(((HttpRoute) prefix.answer()).endpoint(), Map.of());
            }
        }
        return null;
    }

    /** The decoded parameters if {@code parts} fit the pattern, else null. */
    private static Map<String, String> parameters(List<HttpRoute.Segment> segments, String[] parts) {
        HttpRoute.Segment last = segments.getLast();
        if (last.rest() ? parts.length < segments.size() : parts.length != segments.size()) {
            return null;
        }
        Map<String, String> parameters = null;
        for (int i = 0; i < segments.size(); i++) {
            HttpRoute.Segment segment = segments.get(i);
            if (!segment.parameter()) {
                if (!segment.text().equals(parts[i])) {
                    return null;
                }
                continue;
            }
            String raw = segment.rest() ? String.join("/", java.util.Arrays.copyOfRange(parts, i, parts.length))
                    : parts[i];
            if (raw.isEmpty()) {
                return null;
            }
            if (parameters == null) {
                parameters = new LinkedHashMap<>();
            }
            parameters.put(segment.text(), decode(raw));
        }
        return parameters == null ? Map.of() : parameters;
    }

    /** Percent-decoding of a path segment: unlike a query, '+' is a plus. */
    private static String decode(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
