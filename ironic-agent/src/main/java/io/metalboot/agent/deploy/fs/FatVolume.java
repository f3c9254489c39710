package io.metalboot.agent.deploy.fs;

import io.metalboot.agent.deploy.table.PartitionTableCodec.DiskBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A FAT12, FAT16 or FAT32 filesystem read from a partition's bytes, for one question: is there a
 * regular file at this path, and how long is it. Nothing is mounted (the ramdisk may have no vfat
 * module, and a read-only lookup cannot harm the disk). It follows Microsoft's FAT specification
 * (fatgen103): the BPB of the boot sector, the type told by the count of clusters (below 4085
 * FAT12, below 65525 FAT16, else FAT32; never the label string), the fixed root directory of
 * FAT12/16 and the root cluster chain of FAT32, directories read through their cluster chains,
 * 8.3 short names and VFAT long names (their checksum against the short entry checked), both
 * compared without regard to case as FAT does.
 *
 * <p>Anything it does not understand is "no file", never an error: a BPB out of the spec's ranges,
 * a cluster chain that leaves the data area or the FAT, loops or runs on past the largest
 * directory FAT allows, a read outside the partition or one the disk answers short. Every read is
 * bounded by the partition, and every walk by the filesystem's own sizes. Only an
 * {@link IOException} of the read itself escapes: a disk that cannot be read is not a disk without
 * the file.
 */
public final class FatVolume {
    /** Which FAT, as the count of clusters says. */
    public enum Type {
        FAT12, FAT16, FAT32
    }

    private static final int ATTR_VOLUME_ID = 0x08;
    private static final int ATTR_DIRECTORY = 0x10;
    private static final int ATTR_LONG_NAME = 0x0f;
    private static final int ATTR_LONG_NAME_MASK = 0x3f;
    private static final int DELETED = 0xe5;
    private static final int LAST_LONG_ENTRY = 0x40;
    private static final int MAX_LONG_ENTRIES = 20; // 255 UTF-16 units, 13 an entry
    /** 65536 entries of 32 bytes: the largest directory the specification allows. */
    private static final long MAX_DIRECTORY_BYTES = 65536L * 32;
    private static final int FAT_WINDOW = 4096;
    private static final int FAT_WINDOWS_KEPT = 16;

    private final DiskBytes disk;
    private final long start;
    private final long length;
    private final Type type;
    private final int bytesPerSector;
    private final int clusterBytes;
    private final long fatOffset; // of the FAT read, within the partition
    private final long fatBytes;
    private final long rootDirectoryOffset; // FAT12/16
    private final int rootEntries; // FAT12/16
    private final long rootCluster; // FAT32
    private final long dataOffset;
    private final long clusters; // count of data clusters: numbers 2 .. clusters + 1
    /** The FAT's windows last read, by offset: a chain mostly stays near where it was. */
    private final Map<Long, byte[]> windows = new LinkedHashMap<>(FAT_WINDOWS_KEPT * 2, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
            return size() > FAT_WINDOWS_KEPT;
        }
    };

    /** Thrown inside, caught at the API: the bytes are not a FAT this reads. */
    private static final class NotUnderstood extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotUnderstood(String why) {
            super(why, null, false, false);
        }
    }

    private FatVolume(DiskBytes disk, long start, long length, ByteBuffer bpb) {
        this.disk = disk;
        this.start = start;
        this.length = length;
        bytesPerSector = bpb.getShort(11) & 0xffff;
        int sectorsPerCluster = bpb.get(13) & 0xff;
        int reservedSectors = bpb.getShort(14) & 0xffff;
        int fats = bpb.get(16) & 0xff;
        rootEntries = bpb.getShort(17) & 0xffff;
        int totalSectors16 = bpb.getShort(19) & 0xffff;
        int fatSize16 = bpb.getShort(22) & 0xffff;
        long totalSectors32 = Integer.toUnsignedLong(bpb.getInt(32));
        long fatSize32 = Integer.toUnsignedLong(bpb.getInt(36));
        if ((bpb.get(510) & 0xff) != 0x55 || (bpb.get(511) & 0xff) != 0xaa) {
            throw new NotUnderstood("no 0x55 0xAA at byte 510");
        }
        if (bytesPerSector != 512 && bytesPerSector != 1024 && bytesPerSector != 2048 && bytesPerSector != 4096) {
            throw new NotUnderstood("bytes per sector " + bytesPerSector);
        }
        if (sectorsPerCluster == 0 || Integer.bitCount(sectorsPerCluster) != 1) {
            throw new NotUnderstood("sectors per cluster " + sectorsPerCluster);
        }
        if (reservedSectors == 0 || fats == 0) {
            throw new NotUnderstood("reserved sectors " + reservedSectors + ", FATs " + fats);
        }
        clusterBytes = sectorsPerCluster * bytesPerSector;
        long fatSectors = fatSize16 != 0 ? fatSize16 : fatSize32;
        long totalSectors = totalSectors16 != 0 ? totalSectors16 : totalSectors32;
        long rootDirectorySectors = ((long) rootEntries * 32 + bytesPerSector - 1) / bytesPerSector;
        long firstDataSector = reservedSectors + fats * fatSectors + rootDirectorySectors;
        if (fatSectors == 0 || totalSectors <= firstDataSector) {
            throw new NotUnderstood("FAT sectors " + fatSectors + ", total sectors " + totalSectors);
        }
        clusters = (totalSectors - firstDataSector) / sectorsPerCluster;
        type = clusters < 4085 ? Type.FAT12 : clusters < 65525 ? Type.FAT16 : Type.FAT32;
        int activeFat = 0;
        if (type == Type.FAT32) {
            if (clusters > 0x0ffffff5L) { // 28-bit entries, the top ones reserved
                throw new NotUnderstood("FAT32 of " + clusters + " clusters");
            }
            if (rootEntries != 0 || fatSize16 != 0) {
                throw new NotUnderstood("FAT32 with a fixed root directory");
            }
            int extFlags = bpb.getShort(40) & 0xffff;
            if ((extFlags & 0x80) != 0) { // mirroring off: only the active FAT is current
                activeFat = extFlags & 0x0f;
                if (activeFat >= fats) {
                    throw new NotUnderstood("active FAT " + activeFat + " of " + fats);
                }
            }
            rootCluster = Integer.toUnsignedLong(bpb.getInt(44));
        } else {
            if (rootEntries == 0) {
                throw new NotUnderstood(type + " without a root directory");
            }
            rootCluster = 0;
        }
        if (dataOffsetFor(firstDataSector) + clusters * clusterBytes > length) {
            throw new NotUnderstood("the data area ends past the partition of " + length + " bytes");
        }
        fatBytes = fatSectors * bytesPerSector;
        fatOffset = (long) reservedSectors * bytesPerSector + activeFat * fatBytes;
        rootDirectoryOffset = ((long) reservedSectors + fats * fatSectors) * bytesPerSector;
        dataOffset = dataOffsetFor(firstDataSector);
    }

    private long dataOffsetFor(long firstDataSector) {
        return firstDataSector * bytesPerSector;
    }

    /**
     * The FAT filesystem at {@code partitionStart}, when its boot sector is one this reads; empty
     * otherwise.
     */
    public static Optional<FatVolume> open(DiskBytes disk, long partitionStart, long partitionSize) throws IOException {
        if (partitionStart < 0 || partitionSize < 512) {
            return Optional.empty();
        }
        byte[] sector = disk.read(partitionStart, 512);
        if (sector == null || sector.length < 512) {
            return Optional.empty();
        }
        try {
            return Optional.of(new FatVolume(disk, partitionStart, partitionSize,
                    ByteBuffer.wrap(sector).order(ByteOrder.LITTLE_ENDIAN)));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The size in bytes of the regular file at {@code path} (components split at {@code /} or
     * {@code \}, such as {@code EFI/BOOT/BOOTX64.EFI}) in the FAT filesystem of the partition;
     * empty when there is none, or when the partition holds nothing this reads as FAT.
     */
    public static Optional<Long> regularFileSize(DiskBytes disk, long partitionStart, long partitionSize, String path)
            throws IOException {
        Optional<FatVolume> volume = open(disk, partitionStart, partitionSize);
        return volume.isEmpty() ? Optional.empty() : volume.get().regularFileSize(path);
    }

    public Type type() {
        return type;
    }

    /** The size of the regular file at {@code path}; empty when there is none (see the class). */
    public Optional<Long> regularFileSize(String path) throws IOException {
        if (path == null) {
            return Optional.empty();
        }
        List<String> components = new ArrayList<>();
        for (String c : path.split("[/\\\\]")) {
            if (c.equals(".") || c.equals("..")) {
                return Optional.empty();
            }
            if (!c.isEmpty()) {
                components.add(c);
            }
        }
        if (components.isEmpty()) {
            return Optional.empty();
        }
        try {
            long directory = type == Type.FAT32 ? rootCluster : 0; // 0: the fixed root of FAT12/16
            for (String component : components.subList(0, components.size() - 1)) {
                Optional<Entry> entry = find(directory, component);
                if (entry.isEmpty() || (entry.get().attributes & ATTR_DIRECTORY) == 0
                        || !isDataCluster(entry.get().firstCluster)) {
                    return Optional.empty();
                }
                directory = entry.get().firstCluster;
            }
            Optional<Entry> file = find(directory, components.get(components.size() - 1));
            if (file.isEmpty() || (file.get().attributes & (ATTR_DIRECTORY | ATTR_VOLUME_ID)) != 0
                    || !chainHolds(file.get())) {
                return Optional.empty();
            }
            return Optional.of(file.get().size);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** What a short directory entry says of its file. */
    private record Entry(int attributes, long firstCluster, long size) {
    }

    /** The entry named {@code name} in the directory starting at {@code cluster} (0: the fixed root). */
    private Optional<Entry> find(long cluster, String name) throws IOException {
        LongNameAssembly assembly = new LongNameAssembly();
        if (cluster == 0) {
            long bytes = (long) rootEntries * 32;
            for (long at = 0; at < bytes; at += bytesPerSector) {
                int n = (int) Math.min(bytesPerSector, bytes - at);
                Optional<Entry> found = scan(read(rootDirectoryOffset + at, n), assembly, name);
                if (found == null || found.isPresent()) {
                    return found == null ? Optional.empty() : found;
                }
            }
            return Optional.empty();
        }
        long maxClusters = Math.min(clusters, (MAX_DIRECTORY_BYTES + clusterBytes - 1) / clusterBytes);
        Set<Long> seen = new HashSet<>();
        long current = cluster;
        while (true) {
            if (!isDataCluster(current) || !seen.add(current) || seen.size() > maxClusters) {
                throw new NotUnderstood("directory chain at cluster " + current);
            }
            Optional<Entry> found = scan(read(clusterOffset(current), clusterBytes), assembly, name);
            if (found == null || found.isPresent()) {
                return found == null ? Optional.empty() : found;
            }
            long next = next(current);
            if (isEndOfChain(next)) {
                return Optional.empty();
            }
            current = next;
        }
    }

    /**
     * The entry named {@code name} in these directory bytes: present when found, empty to read on,
     * null at the end-of-directory entry (a first byte of 0).
     */
    private Optional<Entry> scan(byte[] bytes, LongNameAssembly assembly, String name) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int at = 0; at + 32 <= bytes.length; at += 32) {
            int first = bytes[at] & 0xff;
            int attributes = bytes[at + 11] & 0xff;
            if (first == 0) {
                return null;
            }
            if (first == DELETED) {
                assembly.reset();
                continue;
            }
            if ((attributes & ATTR_LONG_NAME_MASK) == ATTR_LONG_NAME) {
                assembly.add(bytes, at);
                continue;
            }
            String longName = assembly.nameFor(bytes, at);
            assembly.reset();
            if ((attributes & ATTR_VOLUME_ID) != 0) {
                continue; // the volume label
            }
            String shortName = shortName(bytes, at);
            if (!equalsAsciiIgnoreCase(shortName, name) && (longName == null || !longName.equalsIgnoreCase(name))) {
                continue;
            }
            long firstCluster = b.getShort(at + 26) & 0xffff;
            if (type == Type.FAT32) {
                firstCluster |= (long) (b.getShort(at + 20) & 0xffff) << 16;
            }
            return Optional.of(new Entry(attributes, firstCluster,
                    Integer.toUnsignedLong(b.getInt(at + 28))));
        }
        return Optional.empty();
    }

    /** An 8.3 name as text: "BOOTX64.EFI"; its bytes read as ASCII (0x05 first stands for 0xE5). */
    private static String shortName(byte[] bytes, int at) {
        char[] c = new char[11];
        for (int i = 0; i < 11; i++) {
            c[i] = (char) (bytes[at + i] & 0xff);
        }
        if (c[0] == 0x05) {
            c[0] = 0xe5;
        }
        String base = new String(c, 0, 8).stripTrailing();
        String extension = new String(c, 8, 3).stripTrailing();
        return extension.isEmpty() ? base : base + "." + extension;
    }

    /** Short names are compared as ASCII: a name with any other character matches only a long name. */
    private static boolean equalsAsciiIgnoreCase(String shortName, String name) {
        if (shortName.length() != name.length()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char a = shortName.charAt(i);
            char b = name.charAt(i);
            if (a > 0x7f || b > 0x7f || Character.toUpperCase(a) != Character.toUpperCase(b)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The long-name entries before a short entry: the last part first (ordinal with 0x40), then
     * the ordinals down to 1, all with one checksum. Anything out of that order drops the name.
     */
    private static final class LongNameAssembly {
        private char[] units;
        private int expected; // the next ordinal wanted; 0 when complete
        private int checksum = -1;

        void reset() {
            units = null;
            checksum = -1;
        }

        void add(byte[] bytes, int at) {
            int ordinal = bytes[at] & 0xff;
            int sequence = ordinal & 0x1f;
            int sum = bytes[at + 13] & 0xff;
            if ((ordinal & LAST_LONG_ENTRY) != 0) {
                if (sequence == 0 || sequence > MAX_LONG_ENTRIES || (ordinal & 0xa0) != 0) {
                    reset();
                    return;
                }
                units = new char[sequence * 13];
                checksum = sum;
                expected = sequence;
            } else if (units == null || ordinal != expected || sum != checksum) {
                reset();
                return;
            }
            int base = (expected - 1) * 13;
            int[] offsets = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};
            for (int i = 0; i < 13; i++) {
                units[base + i] = (char) ((bytes[at + offsets[i]] & 0xff) | (bytes[at + offsets[i] + 1] & 0xff) << 8);
            }
            expected--;
        }

        /** The long name for the short entry at {@code at}, when complete and its checksum is the entry's. */
        String nameFor(byte[] bytes, int at) {
            if (units == null || expected != 0) {
                return null;
            }
            int sum = 0;
            for (int i = 0; i < 11; i++) {
                sum = (((sum & 1) << 7) + (sum >> 1) + (bytes[at + i] & 0xff)) & 0xff;
            }
            if (sum != checksum) {
                return null;
            }
            int n = 0;
            while (n < units.length && units[n] != 0) {
                n++;
            }
            return n == 0 ? null : new String(units, 0, n);
        }
    }

    /**
     * Whether a file's chain covers its size: as many distinct data clusters as its bytes need
     * (what firmware reads to load it). The walk ends within {@code needed <= clusters} steps, and
     * the clusters seen fit in the partition's count of clusters.
     */
    private boolean chainHolds(Entry file) throws IOException {
        long needed = (file.size + clusterBytes - 1) / clusterBytes;
        if (needed == 0) {
            return true;
        }
        if (needed > clusters) {
            return false;
        }
        BitSet seen = new BitSet();
        long current = file.firstCluster;
        for (long i = 1; ; i++) {
            if (!isDataCluster(current) || seen.get((int) current)) {
                return false;
            }
            if (i == needed) {
                return true;
            }
            seen.set((int) current);
            current = next(current);
        }
    }

    private boolean isDataCluster(long cluster) {
        return cluster >= 2 && cluster <= clusters + 1;
    }

    private boolean isEndOfChain(long entry) {
        return switch (type) {
            case FAT12 -> entry >= 0xff8;
            case FAT16 -> entry >= 0xfff8;
            case FAT32 -> entry >= 0x0ffffff8L;
        };
    }

    private long clusterOffset(long cluster) {
        return dataOffset + (cluster - 2) * clusterBytes;
    }

    /** The FAT's entry for {@code cluster}: the next cluster, an end of chain, or a value this refuses. */
    private long next(long cluster) throws IOException {
        long at = switch (type) {
            case FAT12 -> cluster + cluster / 2;
            case FAT16 -> cluster * 2;
            case FAT32 -> cluster * 4;
        };
        int width = type == Type.FAT32 ? 4 : 2;
        if (at + width > fatBytes) {
            throw new NotUnderstood("cluster " + cluster + " is past the FAT");
        }
        long value;
        if (type == Type.FAT32) {
            value = Integer.toUnsignedLong(ByteBuffer.wrap(fatBytes(at, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt())
                    & 0x0fffffffL;
        } else {
            value = ByteBuffer.wrap(fatBytes(at, 2)).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff;
            if (type == Type.FAT12) {
                value = (cluster & 1) != 0 ? value >> 4 : value & 0xfff;
            }
        }
        if (!isEndOfChain(value) && !isDataCluster(value)) {
            throw new NotUnderstood("cluster " + cluster + " links to " + value);
        }
        return value;
    }

    /** {@code n} bytes of the FAT at {@code at}, through a window of it read once. */
    private byte[] fatBytes(long at, int n) throws IOException {
        long base = at / FAT_WINDOW * FAT_WINDOW;
        if (at + n > base + FAT_WINDOW) {
            return read(fatOffset + at, n); // a FAT12 entry across the window's end
        }
        byte[] window = windows.get(base);
        if (window == null) {
            window = read(fatOffset + base, (int) Math.min(FAT_WINDOW, fatBytes - base));
            windows.put(base, window);
        }
        byte[] out = new byte[n];
        System.arraycopy(window, (int) (at - base), out, 0, n);
        return out;
    }

    /** {@code n} bytes at {@code offset} of the partition, which they must lie within, as the disk has them. */
    private byte[] read(long offset, int n) throws IOException {
        if (offset < 0 || n < 0 || offset + n > length) {
            throw new NotUnderstood("bytes " + offset + "+" + n + " are outside the partition of " + length);
        }
        byte[] bytes = disk.read(start + offset, n);
        if (bytes == null || bytes.length < n) {
            throw new NotUnderstood("the disk answered short at " + (start + offset));
        }
        return bytes;
    }
}
