package io.metalboot.http;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One request as an endpoint sees it.
 *
 * @param method  "GET", "POST", … (HEAD too: the server drops the reply body, keeps its length)
 * @param path    the path, percent-decoded, without the query
 * @param pathParameters the values of the route pattern's {@code {name}} segments, decoded
 * @param query   query parameters, decoded, in order; a name given twice has two values
 * @param headers header values by lower-case name
 * @param body    the request body (empty, never null); not copied, do not change it
 * @param remote  the client's address and port (null only if the transport has none)
 */
public record HttpCall(
        String method,
        String path,
        Map<String, String> pathParameters,
        Map<String, List<String>> query,
        Map<String, List<String>> headers,
        byte[] body,
        InetSocketAddress remote) {

    public HttpCall {
        pathParameters = Map.copyOf(pathParameters);
        query = Map.copyOf(query);
        headers = Map.copyOf(headers);
        body = body == null ? new byte[0] : body;
    }

    /** The value of the route's {@code {name}} segment, or null if the pattern has none. */
    public String pathParameter(String name) {
        return pathParameters.get(name);
    }

    /** The first value of query parameter {@code name}, or null. */
    public String queryParameter(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    /** The first value of header {@code name} (any case), or null. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.getFirst();
    }
}
