package io.metalboot.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Turns a stream of guest bytes into data and zero extents: each 4 KiB block (aligned to guest
 * offsets) that is all zeros joins a zero run, which may span many buffers; the rest goes out as
 * data, as large as the buffer allows. Zero tests use {@link Arrays#mismatch}, which the JDK
 * vectorises.
 */
final class ZeroRunSplitter {
    static final int BLOCK = 4096;
    private static final byte[] ZEROS = new byte[64 * 1024];

    private final ExtentSink sink;
    private long zeroStart = -1;
    private long zeroLength;
    private long dataBytes;
    private long zeroBytes;

    ZeroRunSplitter(ExtentSink sink) {
        this.sink = sink;
    }

    /** The {@code length} bytes of {@code buffer} from {@code offset} are the guest's at {@code guestOffset}. */
    void accept(long guestOffset, byte[] buffer, int offset, int length) throws IOException {
        int end = offset + length;
        int pos = offset;
        while (pos < end) {
            long guest = guestOffset + (pos - offset);
            int blockEnd = (int) Math.min(end, pos + (BLOCK - (guest % BLOCK)));
            if (isZero(buffer, pos, blockEnd)) {
                int nonZero = firstNonZero(buffer, blockEnd, end);
                int zeroEnd = nonZero == end ? end
                        : (int) (nonZero - ((guestOffset + (nonZero - offset)) % BLOCK));
                zeros(guest, zeroEnd - pos);
                pos = zeroEnd;
            } else {
                int dataStart = pos;
                pos = blockEnd;
                while (pos < end) {
                    int next = Math.min(end, pos + BLOCK);
                    if (isZero(buffer, pos, next)) {
                        break;
                    }
                    pos = next;
                }
                flush();
                sink.data(guest, ByteBuffer.wrap(buffer, dataStart, pos - dataStart));
                dataBytes += pos - dataStart;
            }
        }
    }

    void zeros(long guestOffset, long length) {
        if (zeroStart >= 0 && zeroStart + zeroLength == guestOffset) {
            zeroLength += length;
        } else {
            if (zeroStart >= 0) {
                throw new IllegalStateException("zero runs out of order");
            }
            zeroStart = guestOffset;
            zeroLength = length;
        }
    }

    /** Emits the pending zero run. */
    void flush() throws IOException {
        if (zeroStart >= 0) {
            sink.zeros(zeroStart, zeroLength);
            zeroBytes += zeroLength;
            zeroStart = -1;
        }
    }

    long dataBytes() {
        return dataBytes;
    }

    long zeroBytes() {
        return zeroBytes;
    }

    private static boolean isZero(byte[] b, int from, int to) {
        return Arrays.mismatch(b, from, to, ZEROS, 0, to - from) < 0;
    }

    /** The index of the first non-zero byte in [from, to), or {@code to}. */
    private static int firstNonZero(byte[] b, int from, int to) {
        int pos = from;
        while (pos < to) {
            int n = Math.min(ZEROS.length, to - pos);
            int m = Arrays.mismatch(b, pos, pos + n, ZEROS, 0, n);
            if (m >= 0) {
                return pos + m;
            }
            pos += n;
        }
        return to;
    }
}
