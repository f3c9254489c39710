package io.metalboot.http;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An endpoint's answer. The server adds Content-Length (or Transfer-Encoding) and the connection
 * headers.
 *
 * <p>The body is either bytes in memory ({@link Bytes}, what {@link #text}, {@link #json},
 * {@link #of} and {@link #empty} make) or written by the endpoint into the connection as it goes
 * ({@link Streamed}, made by {@link #streaming}): for bodies too large to hold, a disk image say.
 *
 * @param status       HTTP status code, 100..599
 * @param contentType  Content-Type, or null for none (e.g. with 204)
 * @param body         the body (null: empty bytes)
 * @param headers      further response headers by name
 */
public record HttpReply(int status, String contentType, Body body, Map<String, String> headers) {

    public static final String TEXT = "text/plain; charset=utf-8";
    public static final String JSON = "application/json";
    /** For {@link #streaming}: the length is not known up front; the body goes out chunked. */
    public static final long UNKNOWN_LENGTH = -1;

    /** What the reply carries after its headers. */
    public sealed interface Body {
    }

    /** A body held in memory; {@code bytes} is not copied, do not change it. */
    public record Bytes(byte[] bytes) implements Body {
        public Bytes {
            bytes = bytes == null ? new byte[0] : bytes;
        }
    }

    /**
     * A body the server has {@code writer} write once the headers are out, on a virtual thread.
     *
     * @param length the exact number of bytes the writer writes (sent as Content-Length), or
     *               {@link #UNKNOWN_LENGTH} (sent chunked; to an HTTP/1.0 client, up to a close)
     */
    public record Streamed(long length, BodyWriter writer) implements Body {
        public Streamed {
            if (length < 0 && length != UNKNOWN_LENGTH) {
                throw new IllegalArgumentException("length >= 0 or UNKNOWN_LENGTH, not " + length);
            }
            if (writer == null) {
                throw new IllegalArgumentException("a streamed body needs a writer");
            }
        }
    }

    /**
     * A file on disk, sent the way a mount's files are: GET and HEAD, one byte range, a strong
     * ETag, If-None-Match/If-Modified-Since and If-Range, by sendfile where the pipeline allows.
     * The server chooses the status (200, 206, 304, 416; 404 when the file cannot be opened), so a
     * file reply is made with status 200. For an endpoint that decided the caller may have this
     * file (a signed URL, say); symbolic links are followed, containment is the endpoint's concern.
     *
     * @param contentType Content-Type, or null: from the file name's extension, as for mounts
     * @param whenDone    runs once when the reply is out or has failed (the file is no longer
     *                    needed), or null
     */
    public record FileBody(Path file, String contentType, Runnable whenDone) implements Body {
        public FileBody {
            if (file == null) {
                throw new IllegalArgumentException("a file body needs a file");
            }
        }
    }

    /**
     * Writes a streamed body. {@code body} blocks while the client is slower than the writer (the
     * connection's buffer is full), so that only a bounded part of the body is ever in memory.
     * Flushing is optional: the server sends what is buffered at least every 64 KiB and at the end.
     * Writing fewer or more bytes than a known length, or throwing, closes the connection without
     * completing the reply, so the client never takes a truncated body for a whole one; the server
     * logs one WARN line. The request body can no longer be read here (see {@link HttpCall}).
     */
    @FunctionalInterface
    public interface BodyWriter {
        void writeTo(OutputStream body) throws Exception;
    }

    public HttpReply {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status 100..599, not " + status);
        }
        body = body == null ? new Bytes(new byte[0]) : body;
        if (body instanceof FileBody && status != 200) {
            throw new IllegalArgumentException("a file reply is made with status 200 (the server picks 206, 304, ...)");
        }
        if (body instanceof Streamed && (status < 200 || status == 204 || status == 304)) {
            throw new IllegalArgumentException("a " + status + " reply has no body to stream");
        }
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /** A reply with {@code body} in memory (not copied). */
    public HttpReply(int status, String contentType, byte[] body, Map<String, String> headers) {
        this(status, contentType, new Bytes(body), headers);
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

    /** 401 with no body and {@code WWW-Authenticate: Bearer}: nothing says what was wrong with the credential. */
    public static HttpReply unauthorized() {
        return empty(401).withHeader("WWW-Authenticate", "Bearer");
    }

    /**
     * A body {@code writer} writes into the connection, {@code length} bytes or
     * {@link #UNKNOWN_LENGTH}. For HEAD the server sends the headers alone and never runs the writer.
     */
    public static HttpReply streaming(int status, String contentType, long length, BodyWriter writer) {
        return new HttpReply(status, contentType, new Streamed(length, writer), Map.of());
    }

    /**
     * {@code file}, served with Range, ETag and conditional requests like a mount's files (see
     * {@link FileBody}); {@code whenDone} (may be null) runs once the reply is out or failed.
     */
    public static HttpReply file(Path file, String contentType, Runnable whenDone) {
        return new HttpReply(200, null, new FileBody(file, contentType, whenDone), Map.of());
    }

    /** This reply with one more header (replacing one of the same name). */
    public HttpReply withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new HttpReply(status, contentType, body, more);
    }
}
