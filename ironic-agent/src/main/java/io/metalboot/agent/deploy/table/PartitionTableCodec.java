package io.metalboot.agent.deploy.table;

import io.metalboot.machine.SmbiosUuid;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * Bytes → {@link PartitionTable}: the UEFI specification's GPT (header CRC32 and entry-array
 * CRC32 checked; the backup header at the disk's last LBA when the primary fails its checks) and
 * the MBR's four primary entries. A GUID is stored with its first three fields little-endian, the
 * same rule as SMBIOS ({@link SmbiosUuid}).
 */
public final class PartitionTableCodec {
    /** Reads {@code length} bytes at {@code offset} of the disk. */
    @FunctionalInterface
    public interface DiskBytes {
        byte[] read(long offset, int length) throws IOException;
    }

    private static final long GPT_SIGNATURE = 0x5452415020494645L; // "EFI PART", little-endian
    private static final int MAX_ENTRIES = 1024;

    private PartitionTableCodec() {
    }

    /** The table on a disk of {@code diskSize} bytes with {@code sectorSize}-byte sectors. */
    public static PartitionTable read(DiskBytes disk, long diskSize, int sectorSize) throws IOException {
        List<Long> valid = gptHeaders(disk, diskSize, sectorSize);
        if (!valid.isEmpty()) {
            return gpt(disk, valid.get(0), sectorSize, valid);
        }
        byte[] mbr = disk.read(0, 512);
        if ((mbr[510] & 0xff) != 0x55 || (mbr[511] & 0xff) != 0xaa) {
            return PartitionTable.none();
        }
        ByteBuffer b = ByteBuffer.wrap(mbr).order(ByteOrder.LITTLE_ENDIAN);
        List<PartitionTable.Partition> partitions = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int at = 446 + 16 * i;
            int type = mbr[at + 4] & 0xff;
            long start = Integer.toUnsignedLong(b.getInt(at + 8));
            long sectors = Integer.toUnsignedLong(b.getInt(at + 12));
            if (type != 0 && sectors != 0) {
                partitions.add(new PartitionTable.Partition(i + 1, start * sectorSize, sectors * sectorSize,
                        String.format(Locale.ROOT, "%02x", type), null, null));
            }
        }
        String id = String.format(Locale.ROOT, "0x%08x", b.getInt(440));
        return new PartitionTable(PartitionTable.Kind.DOS, id, partitions, List.of());
    }

    /** The LBAs of the GPT headers that pass their checks: the primary (LBA 1) and the backup (last LBA). */
    public static List<Long> gptHeaders(DiskBytes disk, long diskSize, int sectorSize) throws IOException {
        List<Long> valid = new ArrayList<>();
        long lastLba = diskSize / sectorSize - 1;
        for (long lba : new long[] {1, lastLba}) {
            if (lba >= 1 && (lba + 1) * sectorSize <= diskSize && headerValid(disk, lba, sectorSize, diskSize)) {
                valid.add(lba);
            }
        }
        return valid;
    }

    private static boolean headerValid(DiskBytes disk, long lba, int sectorSize, long diskSize) throws IOException {
        byte[] header = disk.read(lba * sectorSize, sectorSize);
        ByteBuffer b = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getLong(0) != GPT_SIGNATURE) {
            return false;
        }
        int headerSize = b.getInt(12);
        if (headerSize < 92 || headerSize > sectorSize || b.getLong(24) != lba) {
            return false;
        }
        CRC32 crc = new CRC32();
        byte[] copy = java.util.Arrays.copyOf(header, headerSize);
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 0);
        crc.update(copy);
        if ((int) crc.getValue() != b.getInt(16)) {
            return false;
        }
        long entriesLba = b.getLong(72);
        int count = b.getInt(80);
        int entrySize = b.getInt(84);
        if (count < 0 || count > MAX_ENTRIES || entrySize < 128 || entrySize > 4096 || entrySize % 8 != 0
                || entriesLba < 1 || entriesLba * sectorSize + (long) count * entrySize > diskSize) {
            return false;
        }
        CRC32 entries = new CRC32();
        entries.update(disk.read(entriesLba * sectorSize, count * entrySize));
        return (int) entries.getValue() == b.getInt(88);
    }

    private static PartitionTable gpt(DiskBytes disk, long headerLba, int sectorSize, List<Long> valid) throws IOException {
        ByteBuffer h = ByteBuffer.wrap(disk.read(headerLba * sectorSize, sectorSize)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] guid = new byte[16];
        h.get(56, guid);
        String diskGuid = guid(guid);
        long entriesLba = h.getLong(72);
        int count = h.getInt(80);
        int entrySize = h.getInt(84);
        byte[] entries = disk.read(entriesLba * sectorSize, count * entrySize);
        ByteBuffer e = ByteBuffer.wrap(entries).order(ByteOrder.LITTLE_ENDIAN);
        List<PartitionTable.Partition> partitions = new ArrayList<>();
        byte[] zero = new byte[16];
        for (int i = 0; i < count; i++) {
            int at = i * entrySize;
            byte[] type = new byte[16];
            e.get(at, type);
            if (java.util.Arrays.equals(type, zero)) {
                continue;
            }
            byte[] unique = new byte[16];
            e.get(at + 16, unique);
            long first = e.getLong(at + 32);
            long last = e.getLong(at + 40);
            String name = new String(entries, at + 56, 72, StandardCharsets.UTF_16LE).replace("\0", "");
            partitions.add(new PartitionTable.Partition(i + 1, first * sectorSize, (last - first + 1) * sectorSize,
                    guid(type), guid(unique), name));
        }
        return new PartitionTable(PartitionTable.Kind.GPT, diskGuid, partitions, valid);
    }

    private static String guid(byte[] stored) {
        return SmbiosUuid.fromSmbiosBytes(stored).uuid().toString().toUpperCase(Locale.ROOT);
    }
}
