package io.metalboot.agent.deploy;

import java.nio.ByteBuffer;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc calls a disk write needs and the JDK does not offer: the block-device ioctls
 * ({@code BLKGETSIZE64}, {@code BLKSSZGET}, {@code BLKZEROOUT}, {@code BLKRRPART}, {@code BLKPG},
 * {@code BLKFLSBUF}) and {@code fallocate}, on one descriptor that also does the
 * {@code pwrite}/{@code pread}/{@code fsync}. Bound through jnr-ffi, as the LLDP capture is.
 */
public interface BlockDeviceLibc {
    @SaveError
    int open(String path, int flags, int mode);

    int close(int fd);

    @SaveError
    @ssize_t
    long pwrite(int fd, @In ByteBuffer buffer, @size_t long count, long offset);

    @SaveError
    @ssize_t
    long pread(int fd, @Out ByteBuffer buffer, @size_t long count, long offset);

    @SaveError
    int fsync(int fd);

    @SaveError
    int fallocate(int fd, int mode, long offset, long length);

    /** ioctl with a u64 out (BLKGETSIZE64) or u64[2] in (BLKZEROOUT). */
    @SaveError
    int ioctl(int fd, long request, long[] argument);

    /** ioctl with an int out (BLKSSZGET). */
    @SaveError
    int ioctl(int fd, long request, int[] argument);

    /** ioctl with a pointer (BLKPG) or none (BLKRRPART, BLKFLSBUF: null). */
    @SaveError
    int ioctl(int fd, long request, Pointer argument);

    String strerror(int errno);
}
