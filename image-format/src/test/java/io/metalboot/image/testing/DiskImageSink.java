package io.metalboot.image.testing;

import io.metalboot.image.ExtentSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * Lays a reader's extents out as a raw file (zero extents stay holes), and checks the
 * extents' contract on the way: none overlaps another, and together they cover the disk.
 */
public final class DiskImageSink implements ExtentSink, AutoCloseable {
    private final FileChannel file;
    private final TreeMap<Long, Long> covered = new TreeMap<>();
    private long dataExtents;
    private long zeroExtents;

    public DiskImageSink(Path path) throws IOException {
        this.file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
    }

    @Override
    public void data(long guestOffset, ByteBuffer bytes) throws IOException {
        cover(guestOffset, bytes.remaining());
        long at = guestOffset;
        while (bytes.hasRemaining()) {
            at += file.write(bytes, at);
        }
        dataExtents++;
    }

    @Override
    public void zeros(long guestOffset, long length) {
        cover(guestOffset, length);
        zeroExtents++;
    }

    private void cover(long offset, long length) {
        if (length <= 0) {
            throw new AssertionError("an empty extent at " + offset);
        }
        Map.Entry<Long, Long> before = covered.floorEntry(offset);
        if (before != null && before.getKey() + before.getValue() > offset) {
            throw new AssertionError("extent " + offset + "+" + length + " overlaps " + before);
        }
        Map.Entry<Long, Long> after = covered.ceilingEntry(offset);
        if (after != null && after.getKey() < offset + length) {
            throw new AssertionError("extent " + offset + "+" + length + " overlaps " + after);
        }
        covered.put(offset, length);
    }

    /** Makes the file {@code virtualSize} long and checks the extents covered exactly that. */
    public void finish(long virtualSize) throws IOException {
        long next = 0;
        for (Map.Entry<Long, Long> e : covered.entrySet()) {
            if (e.getKey() != next) {
                throw new AssertionError("no extent covers " + next + ".." + e.getKey());
            }
            next = e.getKey() + e.getValue();
        }
        if (next != virtualSize) {
            throw new AssertionError("extents end at " + next + ", the disk at " + virtualSize);
        }
        file.truncate(virtualSize);
        if (file.size() < virtualSize) {
            file.write(ByteBuffer.allocate(1), virtualSize - 1);
        }
    }

    public long dataExtents() {
        return dataExtents;
    }

    public long zeroExtents() {
        return zeroExtents;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
