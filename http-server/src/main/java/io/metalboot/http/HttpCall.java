package io.metalboot.http;

import io.netty.handler.codec.http.HttpHeaders;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One request as an endpoint sees it.
 *
 * <p>The body arrives while the endpoint runs; read it one of two ways, from the endpoint's
 * thread (or one thread at a time):
 * <ul>
 * <li>{@link #body()}: whole, as bytes, up to {@link HttpSettings#maxRequestBodyBytes()}; for
 *     small JSON bodies. A longer body makes it throw {@link RequestBodyTooLargeException}, a 413
 *     reply unless the endpoint catches it; with a Content-Length over the limit it throws before
 *     reading anything, so a client waiting on "Expect: 100-continue" never sends the body.
 * <li>{@link #bodyStream()}: as it arrives, any length; for uploads of disk images. The server
 *     stops reading the socket while a few hundred KiB wait unread, so memory stays bounded.
 * </ul>
 * The body can be read until the endpoint returns its reply (not from a streamed reply's writer).
 * What is left unread then is read and dropped if it is small, so that the connection carries the
 * next request; a remainder over 1 MiB, or a body the client has not yet been told to send
 * ("Expect: 100-continue" and the endpoint never read), closes the connection after the reply.
 */
public final class HttpCall {
    private final String method;
    private final String path;
    private final Map<String, String> pathParameters;
    private final Map<String, List<String>> query;
    /** Built from {@link #requestHeaders} on first use: most endpoints never look at all of them. */
    private Map<String, List<String>> headers;
    private final HttpHeaders requestHeaders;
    private final InetSocketAddress remote;
    private final RequestBody stream;
    private final int maxBodyBytes;
    private byte[] body;
    private boolean streamed;
    private boolean consumed;

    /**
     * A call with its whole body at hand, for calling endpoints directly (tests, say).
     *
     * @param method  "GET", "POST", … (HEAD too: the server drops the reply body, keeps its length)
     * @param path    the path, percent-decoded, without the query
     * @param pathParameters the values of the route pattern's {@code {name}} segments, decoded
     * @param query   query parameters, decoded, in order; a name given twice has two values
     * @param headers header values by lower-case name
     * @param body    the request body (null: empty); not copied, do not change it
     * @param remote  the client's address and port (null only if the transport has none)
     */
    public HttpCall(String method, String path, Map<String, String> pathParameters, Map<String, List<String>> query,
            Map<String, List<String>> headers, byte[] body, InetSocketAddress remote) {
        this(method, path, pathParameters, query, headers, null, Integer.MAX_VALUE, remote);
        this.body = body == null ? new byte[0] : body;
    }

    /** A call whose body arrives through {@code stream}. */
    HttpCall(String method, String path, Map<String, String> pathParameters, Map<String, List<String>> query,
            Map<String, List<String>> headers, RequestBody stream, int maxBodyBytes, InetSocketAddress remote) {
        this.method = method;
        this.path = path;
        this.pathParameters = Map.copyOf(pathParameters);
        this.query = Map.copyOf(query);
        this.headers = Map.copyOf(headers);
        this.requestHeaders = null;
        this.stream = stream;
        this.maxBodyBytes = maxBodyBytes;
        this.remote = remote;
    }

    /**
     * A call on a request as the decoder read it; its headers stay Netty's until asked for as a
     * map. {@code stream} null: the request declared no body (the body is empty).
     */
    HttpCall(String method, String path, Map<String, String> pathParameters, Map<String, List<String>> query,
            HttpHeaders requestHeaders, RequestBody stream, int maxBodyBytes, InetSocketAddress remote) {
        this.method = method;
        this.path = path;
        this.pathParameters = Map.copyOf(pathParameters);
        this.query = Map.copyOf(query);
        this.requestHeaders = requestHeaders;
        this.stream = stream;
        // No stream: a request that declared no body.
        this.body = stream == null ? new byte[0] : null;
        this.maxBodyBytes = maxBodyBytes;
        this.remote = remote;
    }

    public String method() {
        return method;
    }

    public String path() {
        return path;
    }

    public Map<String, String> pathParameters() {
        return pathParameters;
    }

    public Map<String, List<String>> query() {
        return query;
    }

    /** Header values by lower-case name, each name's values in the order they came. */
    public Map<String, List<String>> headers() {
        if (headers == null) {
            Map<String, List<String>> byName = new LinkedHashMap<>();
            requestHeaders.forEach(h -> byName.computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT),
                    k -> new ArrayList<>()).add(h.getValue()));
            headers = Map.copyOf(byName);
        }
        return headers;
    }

    public InetSocketAddress remote() {
        return remote;
    }

    /**
     * The whole request body (empty, never null), read on the first call, the same array after;
     * not copied, do not change it.
     *
     * @throws RequestBodyTooLargeException if it is longer than the server's maxRequestBodyBytes
     * @throws UncheckedIOException         if the body could not be read (the client went away)
     * @throws IllegalStateException        if it is being read through {@link #bodyStream()}
     */
    public byte[] body() {
        if (body != null) {
            return body;
        }
        if (streamed || consumed) {
            throw new IllegalStateException("the request body has been read as a stream");
        }
        if (stream.declaredLength() > maxBodyBytes) {
            throw new RequestBodyTooLargeException(stream.declaredLength(), maxBodyBytes);
        }
        consumed = true;
        byte[] read;
        try {
            read = stream.readNBytes(maxBodyBytes == Integer.MAX_VALUE ? Integer.MAX_VALUE : maxBodyBytes + 1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the request body: " + e.getMessage(), e);
        }
        if (read.length > maxBodyBytes) {
            throw new RequestBodyTooLargeException(-1, maxBodyBytes);
        }
        body = read;
        return body;
    }

    /**
     * The request body as it arrives, the same stream on every call (over the bytes if
     * {@link #body()} has read them). A read blocks until bytes arrive; it fails with an
     * IOException if the connection closes before the body is complete. Closing it drops the
     * rest of the body.
     *
     * @throws IllegalStateException if {@link #body()} has failed part way
     */
    public InputStream bodyStream() {
        if (body != null) {
            return new ByteArrayInputStream(body);
        }
        if (consumed) {
            throw new IllegalStateException("the request body has been read in part by body()");
        }
        streamed = true;
        return stream;
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
        if (headers == null) {
            // Netty's headers match names in any case: the same first value the map would give.
            return requestHeaders.get(name);
        }
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    /** The credential of an {@code Authorization: Bearer ...} header (scheme in any case), or empty. */
    public Optional<String> bearerCredential() {
        String authorization = header("Authorization");
        String scheme = "Bearer ";
        if (authorization == null || !authorization.regionMatches(true, 0, scheme, 0, scheme.length())) {
            return Optional.empty();
        }
        return Optional.of(authorization.substring(scheme.length()).strip());
    }

    @Override
    public String toString() {
        return method + " " + path;
    }
}
