package io.metalboot.http;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.stream.ChunkedNioFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Date;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Serves files of an {@link AssetDirectory}: GET and HEAD, one byte range, strong ETags and
 * Last-Modified with their conditional requests. The body goes out by sendfile
 * ({@link DefaultFileRegion}) unless something in the pipeline must see the bytes (TLS,
 * compression); then it is read in chunks. Runs on the event loop: it only opens and stats a
 * file, the kernel does the copying.
 */
final class StaticAssetHandler {
    private static final int CHUNK_SIZE = 64 * 1024;
    private static final String OCTET_STREAM = "application/octet-stream";
    private static final Map<String, String> CONTENT_TYPES = Map.ofEntries(
            Map.entry("ipxe", "text/plain; charset=utf-8"),
            Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("cfg", "text/plain; charset=utf-8"),
            Map.entry("sha256", "text/plain; charset=utf-8"),
            Map.entry("sha256sum", "text/plain; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("yaml", "application/yaml"),
            Map.entry("efi", OCTET_STREAM),
            Map.entry("kpxe", OCTET_STREAM),
            Map.entry("pxe", OCTET_STREAM),
            Map.entry("lkrn", OCTET_STREAM),
            Map.entry("iso", "application/x-iso9660-image"),
            Map.entry("gz", "application/gzip"),
            Map.entry("xz", "application/x-xz"),
            Map.entry("zst", "application/zstd"));

    /** What was sent, for the access log; {@code lastWrite} completes when the reply is out. */
    record Served(ChannelFuture lastWrite, int status, long bytes, String note) {
    }

    Served serve(ChannelHandlerContext ctx, HttpRequest request, AssetDirectory directory, String rawPath,
            boolean keepAlive) {
        HttpMethod method = request.method();
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            HttpResponse response = head(HttpResponseStatus.METHOD_NOT_ALLOWED, keepAlive);
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD").set(HttpHeaderNames.CONTENT_LENGTH, 0);
            return new Served(writeEmpty(ctx, response), 405, 0, null);
        }
        Path file;
        switch (directory.resolve(rawPath)) {
            case AssetDirectory.Found found -> file = found.file();
            case AssetDirectory.NotFound notFound -> {
                return notFound(ctx, keepAlive, notFound.reason());
            }
        }
        // The real path has no link left in it; NOFOLLOW_LINKS keeps it that way until open.
        return serveFile(ctx, request, file, new LinkOption[] {LinkOption.NOFOLLOW_LINKS}, contentType(file),
                Map.of(), keepAlive);
    }

    /**
     * Serves one file an endpoint chose ({@link HttpReply.FileBody}): the same GET/HEAD, range,
     * ETag and conditional handling as a mount's files, with the endpoint's content type and
     * extra headers. The endpoint has decided that the caller may have it; links are followed.
     */
    Served serveEndpointFile(ChannelHandlerContext ctx, HttpRequest request, HttpReply.FileBody body,
            Map<String, String> extraHeaders, boolean keepAlive) {
        HttpMethod method = request.method();
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            HttpResponse response = head(HttpResponseStatus.METHOD_NOT_ALLOWED, keepAlive);
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD").set(HttpHeaderNames.CONTENT_LENGTH, 0);
            return new Served(writeEmpty(ctx, response), 405, 0, null);
        }
        return serveFile(ctx, request, body.file(), new LinkOption[0],
                body.contentType() == null ? contentType(body.file()) : body.contentType(), extraHeaders, keepAlive);
    }

    private Served serveFile(ChannelHandlerContext ctx, HttpRequest request, Path file, LinkOption[] links,
            String contentType, Map<String, String> extraHeaders, boolean keepAlive) {
        HttpMethod method = request.method();
        FileChannel channel;
        BasicFileAttributes attributes;
        long size;
        try {
            channel = links.length == 0 ? FileChannel.open(file, StandardOpenOption.READ)
                    : FileChannel.open(file, StandardOpenOption.READ, links[0]);
        } catch (IOException | SecurityException e) {
            return notFound(ctx, keepAlive, "cannot open: " + e.getClass().getSimpleName());
        }
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class, links);
            size = channel.size();
        } catch (IOException e) {
            closeQuietly(channel);
            return notFound(ctx, keepAlive, "cannot stat: " + e.getClass().getSimpleName());
        }
        String etag = etag(attributes, size);
        long lastModifiedSeconds = attributes.lastModifiedTime().to(TimeUnit.SECONDS);
        String lastModified = DateFormatter.format(new Date(lastModifiedSeconds * 1000));
        HttpHeaders requestHeaders = request.headers();

        if (notModified(requestHeaders, etag, lastModifiedSeconds)) {
            closeQuietly(channel);
            HttpResponse response = head(HttpResponseStatus.NOT_MODIFIED, keepAlive);
            extraHeaders.forEach(response.headers()::set);
            response.headers().set(HttpHeaderNames.ETAG, etag).set(HttpHeaderNames.LAST_MODIFIED, lastModified);
            return new Served(writeEmpty(ctx, response), 304, 0, null);
        }

        ByteRange range = ByteRange.FULL;
        String rangeHeader = requestHeaders.get(HttpHeaderNames.RANGE);
        // Range is defined for GET only (RFC 9110 §14.2); If-Range that does not match means "all".
        if (rangeHeader != null && method.equals(HttpMethod.GET)
                && ifRangeMatches(requestHeaders.get(HttpHeaderNames.IF_RANGE), etag, lastModified)) {
            range = ByteRange.parse(rangeHeader, size);
        }
        if (range == ByteRange.UNSATISFIABLE) {
            closeQuietly(channel);
            HttpResponse response = head(HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE, keepAlive);
            response.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + size)
                    .set(HttpHeaderNames.CONTENT_LENGTH, 0);
            return new Served(writeEmpty(ctx, response), 416, 0, null);
        }
        boolean partial = range != ByteRange.FULL;
        long start = partial ? range.first() : 0;
        long length = partial ? range.last() - range.first() + 1 : size;
        HttpResponse response = head(partial ? HttpResponseStatus.PARTIAL_CONTENT : HttpResponseStatus.OK, keepAlive);
        HttpHeaders headers = response.headers();
        extraHeaders.forEach(headers::set);
        headers.set(HttpHeaderNames.CONTENT_LENGTH, length)
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES)
                .set(HttpHeaderNames.ETAG, etag)
                .set(HttpHeaderNames.LAST_MODIFIED, lastModified);
        if (partial) {
            headers.set(HttpHeaderNames.CONTENT_RANGE, "bytes " + range.first() + "-" + range.last() + "/" + size);
        }
        int status = response.status().code();
        if (method.equals(HttpMethod.HEAD) || length == 0) {
            closeQuietly(channel);
            return new Served(writeEmpty(ctx, response), status, 0, null);
        }
        ctx.write(response);
        ChannelFuture last;
        if (zeroCopy(ctx.pipeline())) {
            // The region owns the file channel from here on and closes it when released.
            ctx.write(new DefaultFileRegion(channel, start, length));
            last = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        } else {
            try {
                last = ctx.writeAndFlush(new HttpChunkedInput(new ChunkedNioFile(channel, start, length, CHUNK_SIZE)));
            } catch (IOException e) {
                closeQuietly(channel);
                ctx.close();
                return new Served(ctx.newSucceededFuture(), status, -1, "cannot read: " + e.getClass().getSimpleName());
            }
        }
        return new Served(last, status, length, null);
    }

    /** sendfile bypasses every handler: only when none of them needs to see the bytes. */
    static boolean zeroCopy(ChannelPipeline pipeline) {
        return pipeline.get(SslHandler.class) == null && pipeline.get(HttpContentCompressor.class) == null;
    }

    /**
     * Strong: size, modification time in nanoseconds and the file key (device and inode on
     * Linux), so that a file replaced by another of the same size and second gets a new tag.
     */
    static String etag(BasicFileAttributes attributes, long size) {
        Object key = attributes.fileKey();
        return "\"" + Long.toHexString(size) + "-" + Long.toHexString(attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS))
                + (key == null ? "" : "-" + Integer.toHexString(key.hashCode())) + "\"";
    }

    /** If-None-Match, if present, decides alone (RFC 9110 §13.2.2); else If-Modified-Since. */
    static boolean notModified(HttpHeaders headers, String etag, long lastModifiedSeconds) {
        String ifNoneMatch = headers.get(HttpHeaderNames.IF_NONE_MATCH);
        if (ifNoneMatch != null) {
            for (String candidate : ifNoneMatch.split(",")) {
                String tag = candidate.strip();
                // Weak comparison: W/"x" matches "x".
                if (tag.equals("*") || (tag.startsWith("W/") ? tag.substring(2) : tag).equals(etag)) {
                    return true;
                }
            }
            return false;
        }
        String ifModifiedSince = headers.get(HttpHeaderNames.IF_MODIFIED_SINCE);
        if (ifModifiedSince != null) {
            Date since = DateFormatter.parseHttpDate(ifModifiedSince);
            return since != null && lastModifiedSeconds * 1000 <= since.getTime();
        }
        return false;
    }

    /** No If-Range, or one naming exactly this version (strong ETag or the exact date). */
    static boolean ifRangeMatches(String ifRange, String etag, String lastModified) {
        if (ifRange == null) {
            return true;
        }
        String value = ifRange.strip();
        if (value.startsWith("\"") || value.startsWith("W/")) {
            return value.equals(etag);
        }
        Date date = DateFormatter.parseHttpDate(value);
        Date ours = DateFormatter.parseHttpDate(lastModified);
        return date != null && ours != null && date.getTime() == ours.getTime();
    }

    static String contentType(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        if (dot < 0) {
            return OCTET_STREAM;
        }
        return CONTENT_TYPES.getOrDefault(name.substring(dot + 1).toLowerCase(Locale.ROOT), OCTET_STREAM);
    }

    private Served notFound(ChannelHandlerContext ctx, boolean keepAlive, String reason) {
        return new Served(HttpRequestRouter.writeText(ctx, HttpResponseStatus.NOT_FOUND, "not found\n", keepAlive),
                404, "not found\n".length(), reason);
    }

    private static HttpResponse head(HttpResponseStatus status, boolean keepAlive) {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
        response.headers().set(HttpHeaderNames.DATE, DateHeaderValue.now());
        HttpUtil.setKeepAlive(response, keepAlive);
        return response;
    }

    private static ChannelFuture writeEmpty(ChannelHandlerContext ctx, HttpResponse response) {
        ctx.write(response);
        return ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // read-only: nothing was lost
        }
    }
}
