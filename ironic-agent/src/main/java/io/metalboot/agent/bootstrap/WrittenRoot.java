package io.metalboot.agent.bootstrap;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * The root filesystem of the OS just written, mounted read-write in a directory of its own for as
 * long as the agent places files in it; closing syncs and unmounts it. Its type is read from the
 * superblock (ext2/3/4, XFS), as {@code blkid} would, so nothing is guessed from the partition type.
 */
public final class WrittenRoot implements AutoCloseable {
    private static final class Libc {
        static final MountLibc C = LibraryLoader.create(MountLibc.class).load("c");
    }

    private final Path dir;
    private boolean mounted;

    private WrittenRoot(Path dir) {
        this.dir = dir;
    }

    /** What makes a filesystem type mountable: the ramdisk loads its kernel module by name. */
    @FunctionalInterface
    public interface FilesystemDriver {
        void load(String type) throws IOException, InterruptedException;

        /** Every type the kernel mounts is already known to it (a host, in tests). */
        FilesystemDriver BUILT_IN = type -> { };
    }

    /**
     * Mounts {@code device} (a block device holding the root filesystem) at a new directory under
     * {@code under}, its type's driver loaded first when the kernel does not list it in /proc/filesystems.
     */
    public static WrittenRoot mount(Path device, Path under, FilesystemDriver driver)
            throws IOException, InterruptedException {
        String type = filesystemType(device);
        if (!Files.readString(Path.of("/proc/filesystems")).matches("(?s).*\\s" + type + "\\s.*")) {
            driver.load(type);
        }
        Files.createDirectories(under);
        Path dir = Files.createTempDirectory(under, "root-");
        WrittenRoot root = new WrittenRoot(dir);
        if (Libc.C.mount(device.toString(), dir.toString(), type, 0, null) != 0) {
            int errno = Runtime.getSystemRuntime().getLastError();
            Files.deleteIfExists(dir);
            throw new IOException("mount " + device + " (" + type + "): " + Libc.C.strerror(errno));
        }
        root.mounted = true;
        return root;
    }

    /** ext2/3/4 (magic 0xEF53 at 1080) or XFS ("XFSB" at 0); anything else is refused by name. */
    static String filesystemType(Path device) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(2048).order(ByteOrder.LITTLE_ENDIAN);
        try (RandomAccessFile file = new RandomAccessFile(device.toFile(), "r")) {
            file.getChannel().read(head, 0);
        }
        if (head.position() >= 1082 && (head.getShort(1080) & 0xffff) == 0xEF53) {
            return "ext4"; // the kernel's ext4 driver mounts ext2 and ext3 too
        }
        if (head.position() >= 4 && head.getInt(0) == 0x42534658) { // "XFSB" read little-endian
            return "xfs";
        }
        throw new IOException(device + " holds neither an ext2/3/4 nor an XFS filesystem: the written OS's root"
                + " cannot be opened to place its bootstrap");
    }

    /** The mounted root: files placed under it land in the written OS. */
    public Path dir() {
        return dir;
    }

    @Override
    public void close() throws IOException {
        if (!mounted) {
            return;
        }
        Libc.C.sync();
        if (Libc.C.umount2(dir.toString(), 0) != 0) {
            int errno = Runtime.getSystemRuntime().getLastError();
            throw new IOException("umount " + dir + ": " + Libc.C.strerror(errno));
        }
        mounted = false;
        Files.deleteIfExists(dir);
    }
}
