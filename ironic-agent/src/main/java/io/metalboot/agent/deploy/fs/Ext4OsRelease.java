package io.metalboot.agent.deploy.fs;

import io.metalboot.agent.deploy.table.PartitionTableCodec.DiskBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Whether an ext2/3/4 filesystem holds {@code etc/os-release} (file or link, as Debian's is): the
 * way the deploy tells which partition holds {@code /} without mounting anything (the ramdisk has
 * no ext4 module, and a read-only lookup cannot harm the disk). It follows the kernel's on-disk
 * layout: the superblock at 1 KiB, the group descriptors after it, the inode's extent tree (or its
 * twelve direct blocks), and directory blocks read linearly (an htree directory's leaves are
 * ordinary entries; its index blocks read as empty ones). Anything it does not understand is a
 * "no", never an error: this is a report, not a check the deploy depends on.
 */
public final class Ext4OsRelease {
    private static final int EXT4_MAGIC = 0xef53;
    private static final int ROOT_INODE = 2;
    private static final int INCOMPAT_64BIT = 0x80;
    private static final int EXTENTS_FLAG = 0x80000;
    private static final int EXTENT_MAGIC = 0xf30a;
    private static final int MAX_DIRECTORY_BLOCKS = 4096;

    private final DiskBytes disk;
    private final long start;
    private int blockSize;
    private int inodesPerGroup;
    private int inodeSize;
    private int descriptorSize;
    private long firstDataBlock;

    private Ext4OsRelease(DiskBytes disk, long partitionStart) {
        this.disk = disk;
        this.start = partitionStart;
    }

    /** Whether the ext filesystem at {@code partitionStart} has {@code /etc/os-release}. */
    public static boolean present(DiskBytes disk, long partitionStart, long partitionSize) {
        try {
            Ext4OsRelease fs = new Ext4OsRelease(disk, partitionStart);
            if (partitionSize < 4096 || !fs.superblock()) {
                return false;
            }
            Optional<Integer> etc = fs.lookup(ROOT_INODE, "etc");
            return etc.isPresent() && fs.lookup(etc.get(), "os-release").isPresent();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Whether the partition starts with an ext2/3/4 superblock. */
    public static boolean isExt(DiskBytes disk, long partitionStart) {
        try {
            ByteBuffer sb = ByteBuffer.wrap(disk.read(partitionStart + 1024, 1024)).order(ByteOrder.LITTLE_ENDIAN);
            return (sb.getShort(56) & 0xffff) == EXT4_MAGIC;
        } catch (IOException e) {
            return false;
        }
    }

    private boolean superblock() throws IOException {
        ByteBuffer sb = ByteBuffer.wrap(disk.read(start + 1024, 1024)).order(ByteOrder.LITTLE_ENDIAN);
        if ((sb.getShort(56) & 0xffff) != EXT4_MAGIC) {
            return false;
        }
        int logBlock = sb.getInt(24);
        if (logBlock < 0 || logBlock > 6) {
            return false;
        }
        blockSize = 1024 << logBlock;
        inodesPerGroup = sb.getInt(40);
        firstDataBlock = Integer.toUnsignedLong(sb.getInt(20));
        int revision = sb.getInt(76);
        inodeSize = revision == 0 ? 128 : sb.getShort(88) & 0xffff;
        descriptorSize = (sb.getInt(96) & INCOMPAT_64BIT) != 0 ? Math.max(32, sb.getShort(254) & 0xffff) : 32;
        return inodesPerGroup > 0 && inodeSize >= 128 && inodeSize <= blockSize;
    }

    private ByteBuffer inode(int number) throws IOException {
        int group = (number - 1) / inodesPerGroup;
        int index = (number - 1) % inodesPerGroup;
        long descriptors = (firstDataBlock + 1) * blockSize;
        ByteBuffer d = ByteBuffer.wrap(disk.read(start + descriptors + (long) group * descriptorSize, descriptorSize))
                .order(ByteOrder.LITTLE_ENDIAN);
        long table = Integer.toUnsignedLong(d.getInt(8));
        if (descriptorSize >= 64) {
            table |= Integer.toUnsignedLong(d.getInt(0x28)) << 32;
        }
        return ByteBuffer.wrap(disk.read(start + table * blockSize + (long) index * inodeSize, inodeSize))
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The inode number of {@code name} in directory {@code directory}. */
    private Optional<Integer> lookup(int directory, String name) throws IOException {
        ByteBuffer inode = inode(directory);
        long size = Integer.toUnsignedLong(inode.getInt(4));
        byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
        long blocks = Math.min(MAX_DIRECTORY_BLOCKS, (size + blockSize - 1) / blockSize);
        for (long logical = 0; logical < blocks; logical++) {
            long physical = physicalBlock(inode, logical);
            if (physical <= 0) {
                continue;
            }
            ByteBuffer b = ByteBuffer.wrap(disk.read(start + physical * blockSize, blockSize)).order(ByteOrder.LITTLE_ENDIAN);
            int at = 0;
            while (at + 8 <= blockSize) {
                int entryInode = b.getInt(at);
                int recordLength = b.getShort(at + 4) & 0xffff;
                int nameLength = b.get(at + 6) & 0xff;
                if (recordLength < 8 || at + recordLength > blockSize) {
                    break;
                }
                if (entryInode != 0 && nameLength == wanted.length && at + 8 + nameLength <= blockSize) {
                    byte[] entryName = new byte[nameLength];
                    b.get(at + 8, entryName);
                    if (java.util.Arrays.equals(entryName, wanted)) {
                        return Optional.of(entryInode);
                    }
                }
                at += recordLength;
            }
        }
        return Optional.empty();
    }

    /** The physical block of a file's logical block: its extent tree, or its direct blocks (ext2/3). */
    private long physicalBlock(ByteBuffer inode, long logical) throws IOException {
        int flags = inode.getInt(32);
        if ((flags & EXTENTS_FLAG) == 0) {
            return logical < 12 ? Integer.toUnsignedLong(inode.getInt(40 + 4 * (int) logical)) : 0;
        }
        byte[] iblock = new byte[60];
        inode.get(40, iblock);
        ByteBuffer node = ByteBuffer.wrap(iblock).order(ByteOrder.LITTLE_ENDIAN);
        for (int depth = 0; depth < 8; depth++) {
            if ((node.getShort(0) & 0xffff) != EXTENT_MAGIC) {
                return 0;
            }
            int entries = node.getShort(2) & 0xffff;
            int treeDepth = node.getShort(6) & 0xffff;
            if (treeDepth == 0) {
                for (int i = 0; i < entries && 12 + 12 * i + 12 <= node.capacity(); i++) {
                    int at = 12 + 12 * i;
                    long first = Integer.toUnsignedLong(node.getInt(at));
                    int length = node.getShort(at + 4) & 0x7fff; // above 32768: an unwritten extent
                    long physical = (long) (node.getShort(at + 6) & 0xffff) << 32 | Integer.toUnsignedLong(node.getInt(at + 8));
                    if (logical >= first && logical < first + length) {
                        return physical + (logical - first);
                    }
                }
                return 0;
            }
            long child = 0;
            for (int i = 0; i < entries && 12 + 12 * i + 12 <= node.capacity(); i++) {
                int at = 12 + 12 * i;
                if (Integer.toUnsignedLong(node.getInt(at)) <= logical) {
                    child = Integer.toUnsignedLong(node.getInt(at + 4)) | (long) (node.getShort(at + 8) & 0xffff) << 32;
                }
            }
            if (child == 0) {
                return 0;
            }
            node = ByteBuffer.wrap(disk.read(start + child * blockSize, blockSize)).order(ByteOrder.LITTLE_ENDIAN);
        }
        return 0;
    }
}
