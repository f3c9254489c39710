package io.metalboot.image;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where a reader puts the guest disk: data extents and zero extents at guest offsets, which
 * never overlap and together cover the virtual size. Their order is the reader's (a qcow2's
 * data comes in file order, not guest order), so a writer positions each write itself.
 */
public interface ExtentSink {
    /**
     * Bytes at {@code guestOffset}. The buffer's position..limit is the extent; it is valid only
     * during the call (the reader reuses it), and the sink may consume it.
     */
    void data(long guestOffset, ByteBuffer bytes) throws IOException;

    /** {@code length} bytes at {@code guestOffset} read as zeros. */
    void zeros(long guestOffset, long length) throws IOException;

    /** A sink that drops everything (probing, benchmarks). */
    static ExtentSink discarding() {
        return new ExtentSink() {
            public void data(long guestOffset, ByteBuffer bytes) {
                bytes.position(bytes.limit());
            }

            public void zeros(long guestOffset, long length) {
            }
        };
    }
}
