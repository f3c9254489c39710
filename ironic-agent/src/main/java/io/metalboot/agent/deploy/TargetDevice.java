package io.metalboot.agent.deploy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * The disk (or, for {@code write-image --target FILE}, a regular file) an image goes onto, open
 * once for writing: positioned writes and reads of direct buffers, zeroing, fsync, and for a block
 * device its size, sector size and the partition re-read. Every call checks its result: a short
 * write is retried for the rest, a write of nothing or an error fails with the offset and errno.
 */
public final class TargetDevice implements AutoCloseable {
    private static final int O_RDWR = 2;
    private static final int O_CREAT = 0100;
    private static final int O_CLOEXEC = 02000000;
    private static final int EINTR = 4;
    private static final int EBUSY = 16;
    private static final int EINVAL = 22;
    private static final long BLKGETSIZE64 = 0x80081272L;
    private static final long BLKSSZGET = 0x1268L;
    private static final long BLKRRPART = 0x125fL;
    private static final long BLKZEROOUT = 0x127fL;
    private static final long BLKPG = 0x1269L;
    private static final long BLKFLSBUF = 0x1261L;
    private static final int FALLOC_FL_KEEP_SIZE = 1;
    private static final int FALLOC_FL_PUNCH_HOLE = 2;
    private static final int BLKPG_ADD_PARTITION = 1;
    private static final int BLKPG_DEL_PARTITION = 2;

    /** libc, bound at first use. */
    private static final class Libc {
        static final BlockDeviceLibc C = LibraryLoader.create(BlockDeviceLibc.class).load("c");
        static final Runtime RUNTIME = Runtime.getRuntime(C);
    }

    private final Path path;
    private final int fd;
    private final boolean blockDevice;
    private final long size;
    private final int sectorSize;

    private TargetDevice(Path path, int fd, boolean blockDevice, long size, int sectorSize) {
        this.path = path;
        this.fd = fd;
        this.blockDevice = blockDevice;
        this.size = size;
        this.sectorSize = sectorSize;
    }

    /** Opens a block device, or a regular file (created when missing). */
    public static TargetDevice open(Path path) throws IOException {
        boolean exists = Files.exists(path);
        boolean block = exists && isBlockDevice(path);
        if (exists && !block && !Files.isRegularFile(path)) {
            throw new IOException(path + " is neither a block device nor a regular file");
        }
        int fd = Libc.C.open(path.toString(), O_RDWR | O_CLOEXEC | (block ? 0 : O_CREAT), 0600);
        if (fd < 0) {
            throw failure("open " + path);
        }
        try {
            long size;
            int sector = 512;
            if (block) {
                long[] bytes = new long[1];
                check(Libc.C.ioctl(fd, BLKGETSIZE64, bytes), "BLKGETSIZE64 " + path);
                int[] logical = new int[1];
                check(Libc.C.ioctl(fd, BLKSSZGET, logical), "BLKSSZGET " + path);
                size = bytes[0];
                sector = logical[0];
            } else {
                size = Files.size(path);
            }
            return new TargetDevice(path, fd, block, size, sector);
        } catch (IOException | RuntimeException e) {
            Libc.C.close(fd);
            throw e;
        }
    }

    /** The JDK has no "is a block device" test; the unix attribute view's mode (links followed) has it. */
    private static boolean isBlockDevice(Path path) throws IOException {
        int mode = (Integer) Files.getAttribute(path, "unix:mode");
        return (mode & 0170000) == 0060000;
    }

    public Path path() {
        return path;
    }

    public boolean isBlockDevice() {
        return blockDevice;
    }

    /** The device's size; for a regular file, its size when opened (it may grow). */
    public long size() {
        return size;
    }

    public int sectorSize() {
        return sectorSize;
    }

    /** Writes all of {@code buffer} (direct) at {@code offset}. */
    public void write(ByteBuffer buffer, long offset) throws IOException {
        long at = offset;
        while (buffer.hasRemaining()) {
            ByteBuffer slice = buffer.slice();
            long n = Libc.C.pwrite(fd, slice, slice.remaining(), at);
            if (n < 0) {
                if (Libc.RUNTIME.getLastError() == EINTR) {
                    continue;
                }
                throw failure("write of " + buffer.remaining() + " bytes at offset " + at + " of " + path);
            }
            if (n == 0) {
                throw new IOException("short write: " + path + " took no byte at offset " + at
                        + (blockDevice && at >= size ? " (the device ends at " + size + ")" : ""));
            }
            buffer.position(buffer.position() + (int) n);
            at += n;
        }
    }

    /** Reads {@code buffer.remaining()} bytes (direct) at {@code offset}; fewer only at the end. */
    public int read(ByteBuffer buffer, long offset) throws IOException {
        int total = 0;
        while (buffer.hasRemaining()) {
            ByteBuffer slice = buffer.slice();
            long n = Libc.C.pread(fd, slice, slice.remaining(), offset + total);
            if (n < 0) {
                if (Libc.RUNTIME.getLastError() == EINTR) {
                    continue;
                }
                throw failure("read at offset " + (offset + total) + " of " + path);
            }
            if (n == 0) {
                break;
            }
            buffer.position(buffer.position() + (int) n);
            total += (int) n;
        }
        return total;
    }

    /**
     * Makes [offset, offset + length) read as zeros: {@code BLKZEROOUT} on a block device (the
     * kernel guarantees zeros: it writes them, or uses the device's write-zeroes), a punched hole
     * in a file; where neither works, zeros are written.
     */
    public void zeroOut(long offset, long length, ByteBuffer zeros) throws IOException {
        int result = blockDevice ? Libc.C.ioctl(fd, BLKZEROOUT, new long[] {offset, length})
                : Libc.C.fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length);
        if (result == 0) {
            return;
        }
        long at = offset;
        long end = offset + length;
        while (at < end) {
            ByteBuffer chunk = zeros.duplicate().clear();
            chunk.limit((int) Math.min(chunk.capacity(), end - at));
            write(chunk, at);
            at += chunk.limit();
        }
    }

    /** A regular file target ends where the image does. */
    public void truncate(long length) throws IOException {
        if (!blockDevice) {
            try (var channel = java.nio.channels.FileChannel.open(path, java.nio.file.StandardOpenOption.WRITE)) {
                if (channel.size() > length) {
                    channel.truncate(length);
                } else if (channel.size() < length) {
                    channel.write(ByteBuffer.allocate(1), length - 1);
                }
            }
        }
    }

    public void sync() throws IOException {
        while (Libc.C.fsync(fd) != 0) {
            if (Libc.RUNTIME.getLastError() != EINTR) {
                throw failure("fsync " + path);
            }
        }
    }

    /** Drops the device's cached pages, so a read-back reads the medium (block devices only). */
    public void dropCache() {
        if (blockDevice) {
            Libc.C.ioctl(fd, BLKFLSBUF, (Pointer) null);
        }
    }

    /** How a partition re-read went. */
    public enum Reread {
        /** The kernel read the new table. */
        DONE,
        /** EBUSY: a partition of the disk is in use; {@link #addPartition} per partition instead. */
        BUSY,
        /** EINVAL: this device takes no partition table (a loop device without partition scanning, a kernel without partition support). */
        UNSUPPORTED
    }

    /** Asks the kernel to re-read the partition table ({@code BLKRRPART}). */
    public Reread rereadPartitions() throws IOException {
        if (!blockDevice) {
            return Reread.UNSUPPORTED;
        }
        if (Libc.C.ioctl(fd, BLKRRPART, (Pointer) null) == 0) {
            return Reread.DONE;
        }
        int errno = Libc.RUNTIME.getLastError();
        if (errno == EBUSY) {
            return Reread.BUSY;
        }
        if (errno == EINVAL) {
            return Reread.UNSUPPORTED;
        }
        throw failure("BLKRRPART " + path);
    }

    /** {@code BLKPG}: deletes partition {@code number} (if the kernel has it), then adds it as given. */
    public void addPartition(int number, long start, long length) throws IOException {
        blkpg(BLKPG_DEL_PARTITION, number, 0, 0); // may fail: the kernel had no such partition
        if (!blkpg(BLKPG_ADD_PARTITION, number, start, length)) {
            throw failure("BLKPG add partition " + number + " of " + path);
        }
    }

    private boolean blkpg(int op, int number, long start, long length) {
        // struct blkpg_partition { long long start, length; int pno; char devname[64], volname[64]; }
        Pointer partition = Memory.allocateDirect(Libc.RUNTIME, 8 + 8 + 4 + 64 + 64 + 4);
        partition.putLongLong(0, start);
        partition.putLongLong(8, length);
        partition.putInt(16, number);
        // struct blkpg_ioctl_arg { int op, flags, datalen; void *data; }
        Pointer arg = Memory.allocateDirect(Libc.RUNTIME, 24);
        arg.putInt(0, op);
        arg.putInt(4, 0);
        arg.putInt(8, 8 + 8 + 4 + 64 + 64);
        arg.putAddress(16, partition.address());
        return Libc.C.ioctl(fd, BLKPG, arg) == 0;
    }

    private static void check(int result, String what) throws IOException {
        if (result != 0) {
            throw failure(what);
        }
    }

    private static IOException failure(String what) {
        int errno = Libc.RUNTIME.getLastError();
        return new IOException(what + ": " + Libc.C.strerror(errno) + " (errno " + errno + ")");
    }

    @Override
    public void close() throws IOException {
        if (Libc.C.close(fd) != 0) {
            throw failure("close " + path);
        }
    }
}
