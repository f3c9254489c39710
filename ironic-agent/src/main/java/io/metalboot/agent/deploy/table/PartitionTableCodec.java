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
 * same rule as SMBIOS ({@link SmbiosUuid}). And back, for one edit: a partition added to a GPT
 * (whose backup moves to the disk's end on the way) or to an MBR.
 */
public final class PartitionTableCodec {
    /** Reads {@code length} bytes at {@code offset} of the disk. */
    @FunctionalInterface
    public interface DiskBytes {
        byte[] read(long offset, int length) throws IOException;
    }

    /** A disk that can also be written: {@code bytes} at {@code offset}. */
    public interface WritableDiskBytes extends DiskBytes {
        void write(long offset, byte[] bytes) throws IOException;
    }

    /**
     * The primary GPT header's fields that placing a partition needs.
     *
     * @param backupLba where the primary says the backup header is (not at the disk's end after an
     *     image smaller than the disk was written)
     */
    public record GptGeometry(long firstUsableLba, long lastUsableLba, long backupLba, long entriesLba, int entryCount,
            int entrySize) {
        /** Sectors of one entry array. */
        public long entryArraySectors(int sectorSize) {
            return ((long) entryCount * entrySize + sectorSize - 1) / sectorSize;
        }

        /** The last usable LBA with the backup header at {@code lastLba} and its entry array just before it. */
        public long lastUsableLbaWithBackupAt(long lastLba, int sectorSize) {
            return lastLba - entryArraySectors(sectorSize) - 1;
        }
    }

    /** A GPT partition to add: LBAs inclusive, GUIDs in the printed form. */
    public record NewGptPartition(long firstLba, long lastLba, String type, String uuid, String name) {
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

    /** The primary header's geometry; an {@link IOException} when the primary GPT fails its checks. */
    public static GptGeometry gptGeometry(DiskBytes disk, long diskSize, int sectorSize) throws IOException {
        if (!headerValid(disk, 1, sectorSize, diskSize)) {
            throw new IOException("no valid primary GPT header at LBA 1");
        }
        ByteBuffer h = ByteBuffer.wrap(disk.read(sectorSize, sectorSize)).order(ByteOrder.LITTLE_ENDIAN);
        return new GptGeometry(h.getLong(40), h.getLong(48), h.getLong(32), h.getLong(72), h.getInt(80), h.getInt(84));
    }

    /**
     * Adds {@code partition} to the GPT in its first empty entry and writes both copies: the backup
     * header at the disk's last LBA with its entry array before it (moved there from where a smaller
     * image left it, whose old header sector is zeroed, as {@code sgdisk -e} then {@code -n} would
     * leave the disk), the last usable LBA extended to match, both CRC32s of both headers, and the
     * protective MBR's 0xEE entry widened to the disk. The new partition must lie in usable space
     * and overlap none. Returns the table as read back.
     */
    public static PartitionTable addGptPartition(WritableDiskBytes disk, long diskSize, int sectorSize,
            NewGptPartition partition) throws IOException {
        GptGeometry g = gptGeometry(disk, diskSize, sectorSize);
        long lastLba = diskSize / sectorSize - 1;
        long lastUsable = g.lastUsableLbaWithBackupAt(lastLba, sectorSize);
        PartitionTable before = read(disk, diskSize, sectorSize);
        if (partition.firstLba() < g.firstUsableLba() || partition.lastLba() > lastUsable
                || partition.lastLba() < partition.firstLba()) {
            throw new IOException("partition LBA " + partition.firstLba() + "-" + partition.lastLba()
                    + " is outside the usable LBAs " + g.firstUsableLba() + "-" + lastUsable);
        }
        for (PartitionTable.Partition p : before.partitions()) {
            if (partition.firstLba() * sectorSize < p.endBytes() && p.startBytes() < (partition.lastLba() + 1) * sectorSize) {
                throw new IOException("partition LBA " + partition.firstLba() + "-" + partition.lastLba()
                        + " overlaps partition " + p.number());
            }
        }
        int entriesBytes = g.entryCount() * g.entrySize();
        byte[] entries = disk.read(g.entriesLba() * sectorSize, entriesBytes);
        ByteBuffer e = ByteBuffer.wrap(entries).order(ByteOrder.LITTLE_ENDIAN);
        int slot = 0;
        while (slot < g.entryCount() && !java.util.Arrays.equals(entries, slot * g.entrySize(),
                slot * g.entrySize() + 16, new byte[16], 0, 16)) {
            slot++;
        }
        if (slot == g.entryCount()) {
            throw new IOException("all " + g.entryCount() + " GPT entries are in use");
        }
        int at = slot * g.entrySize();
        e.put(at, guidBytes(partition.type()));
        e.put(at + 16, guidBytes(partition.uuid()));
        e.putLong(at + 32, partition.firstLba());
        e.putLong(at + 40, partition.lastLba());
        e.putLong(at + 48, 0);
        byte[] name = partition.name().getBytes(StandardCharsets.UTF_16LE);
        if (name.length > 72) {
            throw new IOException("a GPT partition name has at most 36 UTF-16 units: " + partition.name());
        }
        e.put(at + 56, new byte[72]).put(at + 56, name);
        CRC32 entriesCrc = new CRC32();
        entriesCrc.update(entries);

        byte[] header = disk.read(sectorSize, sectorSize);
        int headerSize = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(12);
        long backupEntriesLba = lastLba - g.entryArraySectors(sectorSize);
        byte[] primary = header(header, headerSize, 1, lastLba, lastUsable, g.entriesLba(), (int) entriesCrc.getValue());
        byte[] backup = header(header, headerSize, lastLba, 1, lastUsable, backupEntriesLba, (int) entriesCrc.getValue());

        if (g.backupLba() != lastLba && g.backupLba() > 1 && g.backupLba() < lastLba) {
            disk.write(g.backupLba() * sectorSize, new byte[sectorSize]);
        }
        disk.write(backupEntriesLba * sectorSize, entries);
        disk.write(lastLba * sectorSize, backup);
        disk.write(g.entriesLba() * sectorSize, entries);
        disk.write(sectorSize, primary);
        widenProtectiveMbr(disk, lastLba);
        return read(disk, diskSize, sectorSize);
    }

    /** The header with its own LBA, the other header's, the last usable LBA, the entry array's LBA and CRC, and its CRC. */
    private static byte[] header(byte[] template, int headerSize, long myLba, long alternateLba, long lastUsable,
            long entriesLba, int entriesCrc) {
        byte[] h = template.clone();
        ByteBuffer b = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(24, myLba).putLong(32, alternateLba).putLong(48, lastUsable).putLong(72, entriesLba)
                .putInt(88, entriesCrc).putInt(16, 0);
        CRC32 crc = new CRC32();
        crc.update(h, 0, headerSize);
        b.putInt(16, (int) crc.getValue());
        return h;
    }

    /** A protective MBR (one 0xEE entry from LBA 1) covers the whole disk, at most 2^32 - 1 sectors; a hybrid MBR is left as it is. */
    private static void widenProtectiveMbr(WritableDiskBytes disk, long lastLba) throws IOException {
        byte[] mbr = disk.read(0, 512);
        ByteBuffer b = ByteBuffer.wrap(mbr).order(ByteOrder.LITTLE_ENDIAN);
        int protective = -1;
        for (int i = 0; i < 4; i++) {
            int type = mbr[446 + 16 * i + 4] & 0xff;
            if (type == 0xee && b.getInt(446 + 16 * i + 8) == 1 && protective < 0) {
                protective = i;
            } else if (type != 0) {
                return;
            }
        }
        if (protective < 0 || (mbr[510] & 0xff) != 0x55 || (mbr[511] & 0xff) != 0xaa) {
            return;
        }
        int at = 446 + 16 * protective;
        long sectors = Math.min(lastLba, 0xffffffffL);
        b.putInt(at + 12, (int) sectors);
        chs(mbr, at + 5, sectors);
        disk.write(0, mbr);
    }

    /**
     * Adds a primary partition to an MBR in its first free entry (type {@code type}, not bootable,
     * CHS as fdisk writes them: 255 heads, 63 sectors, 1023/254/63 past cylinder 1023). The
     * partition must end within 2^32 sectors and overlap none. Returns the table as read back.
     */
    public static PartitionTable addMbrPartition(WritableDiskBytes disk, long diskSize, int sectorSize, long startLba,
            long sectors, int type) throws IOException {
        PartitionTable before = read(disk, diskSize, sectorSize);
        if (before.kind() != PartitionTable.Kind.DOS) {
            throw new IOException("not an MBR (dos) disk: " + before.kind().label());
        }
        if (startLba < 1 || sectors < 1 || startLba + sectors > 0x100000000L || (startLba + sectors) * sectorSize > diskSize) {
            throw new IOException("an MBR partition at LBA " + startLba + " of " + sectors + " sectors does not fit");
        }
        for (PartitionTable.Partition p : before.partitions()) {
            if (startLba * sectorSize < p.endBytes() && p.startBytes() < (startLba + sectors) * sectorSize) {
                throw new IOException("MBR partition at LBA " + startLba + " overlaps partition " + p.number());
            }
        }
        byte[] mbr = disk.read(0, 512);
        ByteBuffer b = ByteBuffer.wrap(mbr).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 4; i++) {
            int at = 446 + 16 * i;
            if ((mbr[at + 4] & 0xff) == 0 || b.getInt(at + 12) == 0) {
                java.util.Arrays.fill(mbr, at, at + 16, (byte) 0);
                mbr[at + 4] = (byte) type;
                chs(mbr, at + 1, startLba);
                chs(mbr, at + 5, startLba + sectors - 1);
                b.putInt(at + 8, (int) startLba).putInt(at + 12, (int) sectors);
                disk.write(0, mbr);
                return read(disk, diskSize, sectorSize);
            }
        }
        throw new IOException("all 4 primary MBR entries are in use");
    }

    /** An LBA's cylinder/head/sector triple at {@code at}, in the 255-head 63-sector geometry. */
    private static void chs(byte[] mbr, int at, long lba) {
        long cylinder = lba / (255 * 63);
        int head = (int) (lba / 63 % 255);
        int sector = (int) (lba % 63) + 1;
        if (cylinder > 1023) {
            cylinder = 1023;
            head = 254;
            sector = 63;
        }
        mbr[at] = (byte) head;
        mbr[at + 1] = (byte) (sector | (cylinder >> 8 & 0x3) << 6);
        mbr[at + 2] = (byte) cylinder;
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

    private static byte[] guidBytes(String printed) {
        return SmbiosUuid.parse(printed).toSmbiosBytes();
    }

    private static String guid(byte[] stored) {
        return SmbiosUuid.fromSmbiosBytes(stored).uuid().toString().toUpperCase(Locale.ROOT);
    }
}
