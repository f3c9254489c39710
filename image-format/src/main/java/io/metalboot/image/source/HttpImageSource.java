package io.metalboot.image.source;

import io.metalboot.image.TruncatedImageException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An image on any HTTP(S) server (nginx, an object store, the image service). Spans are read
 * with {@code Range}, neighbours coalesced into one request; a server that ignores {@code Range}
 * is read from the start instead, up to the last span. When the server gives a strong
 * {@code ETag}, every request carries {@code If-Match}, so a file replaced between requests
 * is refused instead of mixed. A stream whose connection breaks is resumed from the byte it
 * broke at ({@code Range}), a bounded number of times. Every request has a deadline for its
 * headers, and every body read one too (four times the connect timeout), so a server that stops
 * answering or stops sending ends in an error or a resume, never in a read that waits for ever.
 */
public final class HttpImageSource implements ImageSource {
    private static final Logger LOG = Logger.getLogger(HttpImageSource.class.getName());
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    /** Spans closer than this share one request: a few wasted bytes cost less than a round trip. */
    private static final int COALESCE_GAP = 256 * 1024;
    private static final int MAX_REQUEST_BYTES = 64 * 1024 * 1024;
    /** How often one stream is resumed after a broken connection before the read fails. */
    static final int MAX_RESUMES = 5;

    private final URI uri;
    private final HttpClient client;
    private final Duration requestTimeout;
    private final StalledReadWatch stallWatch;
    private long size = Long.MIN_VALUE;
    private Optional<String> etag = Optional.empty();
    private boolean rangesIgnored;

    public HttpImageSource(URI uri, HttpTrust trust, Duration connectTimeout) throws IOException {
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException("an image URL is http or https, not " + uri.getScheme());
        }
        this.uri = uri;
        this.requestTimeout = connectTimeout.multipliedBy(4);
        this.stallWatch = new StalledReadWatch(requestTimeout, describe());
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(connectTimeout)
                .sslContext(trust.sslContext())
                .build();
    }

    public HttpImageSource(URI uri) throws IOException {
        this(uri, HttpTrust.systemDefault(), Duration.ofSeconds(30));
    }

    @Override
    public String describe() {
        return uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath();
    }

    @Override
    public long size() throws IOException {
        if (size == Long.MIN_VALUE) {
            HttpResponse<Void> head = send(request().method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .timeout(requestTimeout).build(), HttpResponse.BodyHandlers.discarding());
            if (head.statusCode() == 403 || head.statusCode() == 405 || head.statusCode() == 501) {
                sizeFromFirstByte(); // a presigned URL may be valid for GET only
            } else {
                expect(head, 200, "HEAD");
                OptionalLong length = head.headers().firstValueAsLong("Content-Length");
                size = length.orElse(-1);
                etag = head.headers().firstValue("ETag").filter(tag -> !tag.startsWith("W/"));
            }
        }
        return size;
    }

    /** The length from a GET of the first byte: its Content-Range, or a whole reply's Content-Length. */
    private void sizeFromFirstByte() throws IOException {
        HttpResponse<InputStream> response = send(HttpRequest.newBuilder(uri).GET().timeout(requestTimeout)
                .header("Range", "bytes=0-0").build(), HttpResponse.BodyHandlers.ofInputStream());
        try {
            if (response.statusCode() == 206) {
                size = ContentRange.of(response).map(ContentRange::total).orElse(-1L);
            } else {
                expect(response, 200, "GET");
                size = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            }
            etag = response.headers().firstValue("ETag").filter(tag -> !tag.startsWith("W/"));
        } finally {
            response.body().close(); // the one byte, or a whole reply, is dropped
        }
    }

    @Override
    public List<byte[]> read(List<ByteSpan> spans) throws IOException {
        long total = size();
        for (ByteSpan span : spans) {
            if (total >= 0 && span.end() > total) {
                throw new TruncatedImageException(describe() + " is " + total + " bytes, "
                        + span.offset() + "+" + span.length() + " lies beyond its end");
            }
        }
        List<byte[]> out = new ArrayList<>(spans.size());
        int first = 0;
        while (first < spans.size()) {
            if (rangesIgnored) {
                out.addAll(readFromStart(spans.subList(first, spans.size())));
                break;
            }
            int last = first;
            while (last + 1 < spans.size()
                    && spans.get(last + 1).offset() - spans.get(last).end() <= COALESCE_GAP
                    && spans.get(last + 1).end() - spans.get(first).offset() <= MAX_REQUEST_BYTES) {
                last++;
            }
            List<ByteSpan> group = spans.subList(first, last + 1);
            Optional<byte[]> block = readRange(group.get(0).offset(), group.get(group.size() - 1).end());
            if (block.isEmpty()) {
                continue; // the server ignored Range: rangesIgnored is now set
            }
            for (ByteSpan span : group) {
                int from = (int) (span.offset() - group.get(0).offset());
                byte[] bytes = new byte[span.length()];
                System.arraycopy(block.get(), from, bytes, 0, span.length());
                out.add(bytes);
            }
            first = last + 1;
        }
        return out;
    }

    /** One {@code Range} request for [from, to); empty when the server answered the whole file. */
    private Optional<byte[]> readRange(long from, long to) throws IOException {
        if (from == to) {
            return Optional.of(new byte[0]);
        }
        HttpRequest.Builder builder = request().GET().timeout(requestTimeout)
                .header("Range", "bytes=" + from + "-" + (to - 1));
        HttpResponse<InputStream> response = send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = stallWatch.guard(response.body())) {
            if (response.statusCode() == 200) {
                LOG.info(() -> describe() + " ignores Range requests: its metadata is read from the start");
                rangesIgnored = true;
                return Optional.empty();
            }
            expect(response, 206, "GET (Range)");
            if (ContentRange.of(response).filter(r -> r.first() == from && r.last() == to - 1).isEmpty()) {
                throw new IOException(describe() + " answered Range " + from + "-" + (to - 1)
                        + " with Content-Range '" + response.headers().firstValue("Content-Range").orElse("") + "'");
            }
            byte[] bytes = body.readNBytes((int) (to - from));
            if (bytes.length != to - from) {
                throw new TruncatedImageException(describe() + ": the range " + from + "-" + (to - 1)
                        + " ended after " + bytes.length + " bytes");
            }
            return Optional.of(bytes);
        }
    }

    private List<byte[]> readFromStart(List<ByteSpan> spans) throws IOException {
        List<byte[]> out = new ArrayList<>(spans.size());
        try (InputStream in = openStream()) {
            long position = 0;
            for (ByteSpan span : spans) {
                long skip = span.offset() - position;
                in.skipNBytes(skip);
                byte[] bytes = in.readNBytes(span.length());
                if (bytes.length != span.length()) {
                    throw new TruncatedImageException(describe() + " ended before byte " + span.end());
                }
                out.add(bytes);
                position = span.end();
            }
        } catch (java.io.EOFException e) {
            throw new TruncatedImageException(describe() + " ended before the last span", e);
        }
        return out;
    }

    @Override
    public InputStream openStream() throws IOException {
        long expected = size();
        HttpResponse<InputStream> response = send(request().GET().timeout(requestTimeout).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try {
            expect(response, 200, "GET");
            long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (expected >= 0 && length >= 0 && length != expected) {
                throw new IOException(describe() + " changed while it was read: " + expected
                        + " bytes, then " + length);
            }
            return new ResumingStream(stallWatch.guard(response.body()), length >= 0 ? length : expected);
        } catch (IOException | RuntimeException e) {
            response.body().close();
            throw e;
        }
    }

    /**
     * The body, resumed where it broke: when the connection fails or ends before its
     * Content-Length, the rest is asked for with {@code Range: bytes=<received>-} (and
     * {@code If-Match}), up to {@link #MAX_RESUMES} times, so the reader sees one unbroken stream
     * and hashes each byte once. A body that cannot be resumed is a cut download, said as such.
     */
    private final class ResumingStream extends InputStream {
        private final long length;
        private InputStream in;
        private long received;
        private int resumes;

        ResumingStream(InputStream in, long length) {
            this.in = in;
            this.length = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (true) {
                IOException cause = null;
                int n;
                try {
                    n = in.read(b, off, len);
                } catch (IOException e) {
                    cause = e;
                    n = -2;
                }
                if (n >= 0) {
                    received += n;
                    return n;
                }
                if (length < 0 || received >= length) {
                    if (cause != null) {
                        throw cause;
                    }
                    return -1;
                }
                resume(cause);
            }
        }

        private void resume(IOException cause) throws IOException {
            String why = cause == null ? "ended" : "was cut (" + cause.getMessage() + ")";
            if (resumes >= MAX_RESUMES || rangesIgnored) {
                throw new TruncatedImageException(describe() + " " + why + " after " + received + " of its " + length
                        + " bytes" + (rangesIgnored ? "; the server cannot resume (no Range)" : ", " + resumes
                        + " resumes spent"), cause);
            }
            resumes++;
            try {
                in.close();
            } catch (IOException ignored) {
                // the broken connection's close may fail too
            }
            long from = received;
            LOG.info(() -> describe() + " " + why + " at byte " + from + " of " + length + ": resuming (" + resumes
                    + " of " + MAX_RESUMES + ")");
            HttpResponse<InputStream> response = send(request().GET().timeout(requestTimeout)
                    .header("Range", "bytes=" + from + "-").build(), HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() == 206 && ContentRange.of(response).filter(r -> r.first() == from).isPresent()) {
                in = stallWatch.guard(response.body());
                return;
            }
            response.body().close();
            if (response.statusCode() == 412) {
                throw new IOException(describe() + " changed while it was read (its ETag no longer matches)");
            }
            throw new TruncatedImageException(describe() + " " + why + " after " + received + " of its " + length
                    + " bytes, and answered the resume with HTTP " + response.statusCode(), cause);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** A 206 reply's Content-Range: its first and last byte, and the whole's length (-1 for "*"). */
    private record ContentRange(long first, long last, long total) {
        static Optional<ContentRange> of(HttpResponse<?> response) {
            Matcher m = CONTENT_RANGE.matcher(response.headers().firstValue("Content-Range").orElse(""));
            return m.matches() ? Optional.of(new ContentRange(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                    m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3)))) : Optional.empty();
        }
    }

    private HttpRequest.Builder request() {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri);
        etag.ifPresent(tag -> builder.header("If-Match", tag));
        return builder;
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            return client.send(request, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException(request.method() + " " + describe() + " interrupted");
        }
    }

    private void expect(HttpResponse<?> response, int status, String what) throws IOException {
        if (response.statusCode() == 412) {
            throw new IOException(describe() + " changed while it was read (its ETag no longer matches)");
        }
        if (response.statusCode() != status) {
            throw new IOException(what + " " + describe() + ": HTTP " + response.statusCode());
        }
    }

    /**
     * Aborts whatever is still in flight. {@code HttpClient.close()} would wait for it instead: a
     * body given up early (a server that ignored {@code Range}) can keep its exchange open, and
     * close then waited for ever.
     */
    @Override
    public void close() {
        client.shutdownNow();
    }
}
