package io.metalboot.image.source;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Where an image's bytes come from: a file ({@link FileImageSource}) or any HTTP server
 * ({@link HttpImageSource}). The readers take a few spans by position (a qcow2's metadata) and
 * then the whole source once, in order, from its first byte (its data, and the checksum).
 */
public interface ImageSource extends Closeable {
    /** Where it is, for messages: never a URL's query (a signed URL's signature is in it). */
    String describe();

    /** The source's length in bytes as it is served; -1 when the source cannot say. */
    long size() throws IOException;

    /**
     * The bytes of each span, in the given order (sorted by offset, not overlapping). A span
     * that reaches past the end is refused with {@link io.metalboot.image.TruncatedImageException}.
     */
    List<byte[]> read(List<ByteSpan> spans) throws IOException;

    /** The whole source from its first byte. The caller closes it. */
    InputStream openStream() throws IOException;

    @Override
    default void close() throws IOException {
    }
}
