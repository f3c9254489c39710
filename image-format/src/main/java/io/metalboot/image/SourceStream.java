package io.metalboot.image;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The source as served, once, from its first byte: every byte read goes through the digest and
 * the count, and the spans a reader already took by position (a qcow2's metadata) are compared
 * with what the stream carries there, so a file that changed between the two is refused.
 */
final class SourceStream extends InputStream {
    /** A span read before the stream, with the CRC32C of its bytes then. */
    record Watched(long offset, int length, int crc) {
    }

    private final InputStream in;
    private final MessageDigest digest;
    private final ChecksumAlgorithm algorithm;
    private final long expectedSize;
    private final String source;
    private final List<Watched> watched;
    private final CRC32C crc = new CRC32C();
    private int watchIndex;
    private long position;
    private IOException sourceFailure;
    private boolean sawEnd;
    private byte[] replay;
    private int replayed;

    SourceStream(InputStream in, ChecksumAlgorithm algorithm, long expectedSize, String source, List<Watched> watched) {
        this.in = in;
        this.algorithm = algorithm;
        this.digest = algorithm.newDigest();
        this.expectedSize = expectedSize;
        this.source = source;
        this.watched = watched;
    }

    ChecksumAlgorithm digestAlgorithm() {
        return algorithm;
    }

    long expectedSize() {
        return expectedSize;
    }

    long position() {
        return position;
    }

    /** Whether the source itself (not a decoder reading it) failed or ended early. */
    boolean sourceFailed() {
        return sourceFailure != null || (sawEnd && expectedSize >= 0 && position < expectedSize);
    }

    boolean atEnd() {
        return sawEnd;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    /** Serves {@code head} (already read, hashed and counted) again before the rest of the source. */
    void replay(byte[] head) {
        this.replay = head;
        this.replayed = 0;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (replay != null && replayed < replay.length) {
            int n = Math.min(len, replay.length - replayed);
            System.arraycopy(replay, replayed, b, off, n);
            replayed += n;
            return n;
        }
        int n;
        try {
            n = in.read(b, off, len);
        } catch (IOException e) {
            sourceFailure = e;
            throw e;
        }
        if (n < 0) {
            sawEnd = true;
            return -1;
        }
        digest.update(b, off, n);
        if (watchIndex < watched.size()) {
            watch(b, off, n);
        }
        position += n;
        if (expectedSize >= 0 && position > expectedSize) {
            throw new MalformedImageException(source + " sent more than the " + expectedSize + " bytes it announced");
        }
        return n;
    }

    private void watch(byte[] b, int off, int n) throws MalformedImageException {
        long from = position;
        long to = position + n;
        while (watchIndex < watched.size()) {
            Watched w = watched.get(watchIndex);
            long wEnd = w.offset() + w.length();
            if (w.offset() >= to) {
                return;
            }
            long a = Math.max(from, w.offset());
            long z = Math.min(to, wEnd);
            crc.update(b, off + (int) (a - from), (int) (z - a));
            if (z < wEnd) {
                return;
            }
            if ((int) crc.getValue() != w.crc()) {
                throw new MalformedImageException(source + " changed while it was read: the "
                        + w.length() + " metadata bytes at " + w.offset() + " differ between its first read and its stream");
            }
            crc.reset();
            watchIndex++;
        }
    }

    /** Reads whatever the source still holds, so the digest and the count cover all of it. */
    void drain(byte[] scratch) throws IOException {
        while (read(scratch, 0, scratch.length) >= 0) {
            // hashed by read
        }
    }

    /** After {@link #drain}: the source's length is what it announced, and every watched span matched. */
    byte[] finish() throws ImageException {
        if (expectedSize >= 0 && position != expectedSize) {
            throw new TruncatedImageException(source + " ended after " + position + " of its " + expectedSize + " bytes");
        }
        if (watchIndex < watched.size()) {
            Watched w = watched.get(watchIndex);
            throw new TruncatedImageException(source + " ended after " + position
                    + " bytes, before the metadata at " + w.offset());
        }
        return digest.digest();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
