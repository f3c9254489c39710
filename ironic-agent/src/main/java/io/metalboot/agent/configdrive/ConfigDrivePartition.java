package io.metalboot.agent.configdrive;

import io.metalboot.agent.deploy.TargetDevice;
import io.metalboot.agent.deploy.table.PartitionTable;
import io.metalboot.agent.deploy.table.PartitionTableCodec;
import io.metalboot.agent.deploy.table.PartitionTableCodec.WritableDiskBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * Puts a config drive image into a new partition at the end of a disk that has just had an OS
 * image written to it, as IPA's {@code create_config_drive_partition} does:
 * <ul>
 * <li>GPT: the backup header and entries move to the disk's last LBAs when the image left them
 * at its own end (IPA: {@code sgdisk -e} when {@code sgdisk -v} says the backup is not at the end),
 * then a partition in the free space after the last one: type Linux filesystem data (sgdisk's
 * default 8300, which IPA's {@code sgdisk -n 0:-64MB:0} gets), a fresh random unique GUID, name
 * {@code config-2} (IPA sets none; the name lets {@code PARTLABEL=config-2} find it too).</li>
 * <li>MBR: a primary partition in the first free entry, type 0x0c (W95 FAT32 LBA, what IPA's
 * {@code parted mkpart primary fat32} writes), ending within the 2 TiB an MBR can address
 * (IPA: the same); four primary entries in use is a failure, as in IPA.</li>
 * </ul>
 * Where IPA always makes 64 MiB, the partition here is the image's size (whole MiB), starting on
 * a MiB boundary, as late as it fits. Too little room is an {@link IOException} saying how much
 * there is and how much is needed, with the disk unchanged: everything is checked before the
 * first write. The image is written last, after the table.
 */
public final class ConfigDrivePartition {
    public static final String GPT_TYPE_LINUX_DATA = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";
    public static final int MBR_TYPE_FAT32_LBA = 0x0c;
    public static final String PARTITION_NAME = "config-2";
    static final long ALIGNMENT = 1L << 20;
    private static final long MBR_LIMIT_SECTORS = 1L << 32;

    /** Where the config drive went: the new partition (as read back) and whether the backup GPT was moved. */
    public record Placement(PartitionTable.Kind kind, PartitionTable.Partition partition, boolean backupGptMoved) {
    }

    private ConfigDrivePartition() {
    }

    /**
     * Adds the partition to {@code disk} ({@code diskName} for messages, {@code diskSize} bytes,
     * {@code sectorSize}-byte sectors) and writes {@code image} into it.
     */
    public static Placement add(WritableDiskBytes disk, String diskName, long diskSize, int sectorSize, byte[] image)
            throws IOException {
        if (image.length == 0 || image.length > ConfigDriveImage.MAX_BYTES) {
            throw new IOException("a config drive image has 1 to " + ConfigDriveImage.MAX_BYTES + " bytes, not " + image.length);
        }
        if (sectorSize != ConfigDriveImage.SECTOR) {
            // Linux's vfat cannot mount a FAT whose sectors are smaller than the device's logical blocks.
            throw new IOException(diskName + " has " + sectorSize + "-byte logical sectors; the config drive's FAT has "
                    + ConfigDriveImage.SECTOR + "-byte sectors, which Linux cannot mount there");
        }
        long size = (image.length + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        PartitionTable table = PartitionTableCodec.read(disk, diskSize, sectorSize);
        long lastEnd = table.partitions().stream().mapToLong(PartitionTable.Partition::endBytes).max().orElse(0);
        Placement placement;
        switch (table.kind()) {
            case GPT -> {
                PartitionTableCodec.GptGeometry g = PartitionTableCodec.gptGeometry(disk, diskSize, sectorSize);
                long lastLba = diskSize / sectorSize - 1;
                long usableEnd = (g.lastUsableLbaWithBackupAt(lastLba, sectorSize) + 1) * sectorSize;
                long start = place(diskName, Math.max(lastEnd, g.firstUsableLba() * sectorSize), usableEnd, size);
                String uuid = UUID.randomUUID().toString().toUpperCase(java.util.Locale.ROOT);
                PartitionTable after = PartitionTableCodec.addGptPartition(disk, diskSize, sectorSize,
                        new PartitionTableCodec.NewGptPartition(start / sectorSize, (start + size) / sectorSize - 1,
                                GPT_TYPE_LINUX_DATA, uuid, PARTITION_NAME));
                placement = new Placement(after.kind(), created(after, start), g.backupLba() != lastLba);
            }
            case DOS -> {
                if (table.partitions().size() >= 4) {
                    throw new IOException("no room for the config drive: all 4 primary partitions of " + diskName + " are in use");
                }
                long end = Math.min(diskSize, MBR_LIMIT_SECTORS * sectorSize) / sectorSize * sectorSize;
                long start = place(diskName, Math.max(lastEnd, sectorSize), end, size);
                PartitionTable after = PartitionTableCodec.addMbrPartition(disk, diskSize, sectorSize, start / sectorSize,
                        size / sectorSize, MBR_TYPE_FAT32_LBA);
                placement = new Placement(after.kind(), created(after, start), false);
            }
            default -> throw new IOException(diskName + " has no partition table (GPT or MBR) to add the config drive to");
        }
        disk.write(start(placement), image);
        if (size > image.length) {
            disk.write(start(placement) + image.length, new byte[(int) (size - image.length)]);
        }
        return placement;
    }

    /** The disk behind a {@link TargetDevice}. */
    public static WritableDiskBytes of(TargetDevice device) {
        return new WritableDiskBytes() {
            @Override
            public byte[] read(long offset, int length) throws IOException {
                ByteBuffer buffer = ByteBuffer.allocateDirect(length);
                int n = device.read(buffer, offset);
                byte[] bytes = new byte[length];
                buffer.flip().get(bytes, 0, n);
                return bytes;
            }

            @Override
            public void write(long offset, byte[] bytes) throws IOException {
                device.write(ByteBuffer.allocateDirect(bytes.length).put(bytes).flip(), offset);
            }
        };
    }

    /**
     * The latest aligned start for {@code size} bytes between {@code freeStart} and {@code freeEnd}.
     * It exists exactly when the free bytes cover the size and the gap to the first boundary.
     */
    private static long place(String diskName, long freeStart, long freeEnd, long size) throws IOException {
        long firstAligned = (freeStart + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        long free = Math.max(0, freeEnd - freeStart);
        long needed = firstAligned - freeStart + size;
        if (free < needed) {
            throw new IOException("no room for the config drive: " + free + " bytes free at the end of " + diskName
                    + ", " + needed + " needed");
        }
        return (freeEnd - size) / ALIGNMENT * ALIGNMENT;
    }

    private static PartitionTable.Partition created(PartitionTable after, long start) throws IOException {
        return after.partitions().stream().filter(p -> p.startBytes() == start).findFirst()
                .orElseThrow(() -> new IOException("the new partition at byte " + start + " is not in the table read back"));
    }

    private static long start(Placement placement) {
        return placement.partition().startBytes();
    }
}
