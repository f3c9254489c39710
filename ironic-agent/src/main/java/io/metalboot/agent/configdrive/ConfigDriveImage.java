package io.metalboot.agent.configdrive;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * A config drive as a VFAT filesystem image: FAT12 or FAT16 (by cluster count, as the FAT
 * specification decides it), VFAT long names for every name that is not an upper-case 8.3 name,
 * the volume label in the boot sector and in the root directory (where blkid reads it first), as
 * {@code mkfs.vfat -n LABEL} and {@code mcopy} would leave it. 512-byte sectors, one reserved
 * sector, two FATs, 512 root entries; clusters of 512 bytes, doubled until the count fits FAT16.
 * The image is a whole number of MiB, the fewest that hold the files, at most 64 MiB (Ironic's
 * limit for a config drive).
 *
 * <p>Deterministic: every timestamp is 1980-01-01 00:00 (FAT's epoch), the volume serial number
 * is a CRC32 of the label and files, and entries are in name order. The same drive and label
 * give the same bytes.
 */
public final class ConfigDriveImage {
    /** Ironic's limit (IPA's MAX_CONFIG_DRIVE_SIZE_MB). */
    public static final long MAX_BYTES = 64L << 20;
    static final int SECTOR = 512;
    private static final long MIB = 1L << 20;
    private static final int RESERVED_SECTORS = 1;
    private static final int FATS = 2;
    private static final int ROOT_ENTRIES = 512;
    private static final int ROOT_SECTORS = ROOT_ENTRIES * 32 / SECTOR;
    /** Cluster counts this close to a FAT type's bounds are avoided: some drivers count them differently. */
    private static final int MARGIN = 16;
    private static final int DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1;
    private static final int ATTR_DIRECTORY = 0x10;
    private static final int ATTR_ARCHIVE = 0x20;
    private static final int ATTR_VOLUME = 0x08;
    private static final int ATTR_LONG_NAME = 0x0f;
    private static final String SHORT_NAME_INVALID = "\"*+,./:;<=>?[\\]|";

    private ConfigDriveImage() {
    }

    /**
     * The image of {@code drive} labelled {@code label} (at most 11 characters of printable ASCII
     * without {@code "*+,./:;<=>?[\]|}; kept in the case given, as mkfs.vfat keeps it: cloud-init
     * looks for {@code config-2} and {@code CONFIG-2}, {@code cidata} and {@code CIDATA}).
     *
     * @throws IllegalArgumentException for a bad label, or files that need more than 64 MiB
     */
    public static byte[] vfat(ConfigDrive drive, String label) {
        byte[] labelBytes = label(label);
        Map<String, byte[]> files = drive.files();
        Directory root = tree(files);
        for (long size = MIB; size <= MAX_BYTES; size += MIB) {
            Geometry g = Geometry.of(size / SECTOR);
            if (root.entries() <= ROOT_ENTRIES && root.clustersBelow(g.clusterBytes()) <= g.clusters()) {
                return new Writer(g, labelBytes, volumeId(labelBytes, files)).write(root);
            }
        }
        throw new IllegalArgumentException("the config drive's files need more than " + MAX_BYTES
                + " bytes (Ironic's limit for a config drive) or more than " + (ROOT_ENTRIES - 1) + " root entries");
    }

    private static byte[] label(String label) {
        if (label.isEmpty() || label.length() > 11
                || label.chars().anyMatch(c -> c < 0x20 || c > 0x7e || SHORT_NAME_INVALID.indexOf(c) >= 0)) {
            throw new IllegalArgumentException("not a FAT volume label (1-11 printable ASCII, none of "
                    + SHORT_NAME_INVALID + "): '" + label + "'");
        }
        return String.format(Locale.ROOT, "%-11s", label).getBytes(StandardCharsets.US_ASCII);
    }

    private static int volumeId(byte[] label, Map<String, byte[]> files) {
        CRC32 crc = new CRC32();
        crc.update(label);
        files.forEach((path, bytes) -> {
            crc.update(path.getBytes(StandardCharsets.UTF_8));
            crc.update(0);
            crc.update(ByteBuffer.allocate(8).putLong(bytes.length).array());
            crc.update(bytes);
        });
        return (int) crc.getValue();
    }

    /** Sizes in sectors; {@code fatBits} 12 or 16. */
    private record Geometry(long totalSectors, int sectorsPerCluster, int fatBits, int fatSectors, int clusters) {
        static Geometry of(long totalSectors) {
            for (int spc = 1; spc <= 128; spc *= 2) {
                for (int bits : new int[] {12, 16}) {
                    int fat = 1;
                    long clusters;
                    while (true) {
                        clusters = (totalSectors - RESERVED_SECTORS - ROOT_SECTORS - (long) FATS * fat) / spc;
                        int needed = (int) (((clusters + 2) * bits / 8 + 1 + SECTOR - 1) / SECTOR);
                        if (needed <= fat) {
                            break;
                        }
                        fat = needed;
                    }
                    boolean fits = bits == 12 ? clusters < 4085 - MARGIN : clusters >= 4085 + MARGIN && clusters <= 65524 - MARGIN;
                    if (fits) {
                        return new Geometry(totalSectors, spc, bits, fat, (int) clusters);
                    }
                }
            }
            throw new IllegalStateException("no FAT12/16 geometry for " + totalSectors + " sectors");
        }

        int clusterBytes() {
            return sectorsPerCluster * SECTOR;
        }

        long dataSector() {
            return RESERVED_SECTORS + (long) FATS * fatSectors + ROOT_SECTORS;
        }
    }

    /** A directory of the tree, children by long name. */
    private record Directory(String name, Map<String, Object> children) {
        /** 32-byte entries: "." and ".." (not in the root: the label instead), each child's long-name entries and short entry. */
        int entries() {
            int n = name.isEmpty() ? 1 : 2;
            for (String child : children.keySet()) {
                n += 1 + (ShortNames.needsLongName(child) ? (child.length() + 12) / 13 : 0);
            }
            return n;
        }

        /** Clusters of this directory (none for the root: it has its own region) and everything below it. */
        long clustersBelow(int clusterBytes) {
            long n = name.isEmpty() ? 0 : (entries() * 32L + clusterBytes - 1) / clusterBytes;
            for (Object child : children.values()) {
                n += child instanceof Directory d ? d.clustersBelow(clusterBytes)
                        : (((byte[]) child).length + clusterBytes - 1L) / clusterBytes;
            }
            return n;
        }
    }

    private static Directory tree(Map<String, byte[]> files) {
        Directory root = new Directory("", new TreeMap<>());
        files.forEach((path, bytes) -> {
            String[] names = path.split("/");
            Directory dir = root;
            for (int i = 0; i < names.length - 1; i++) {
                String name = names[i];
                dir = (Directory) dir.children().computeIfAbsent(name, n -> new Directory(n, new TreeMap<>()));
            }
            dir.children().put(names[names.length - 1], bytes);
        });
        return root;
    }

    /**
     * One directory's short (8.3) names: a name that is one stays as it is (reserved first, so no
     * alias takes it); any other gets a numeric-tail alias ({@code META_D~1JSO}) and long-name entries.
     */
    static final class ShortNames {
        private final Set<String> used = new HashSet<>();

        ShortNames(Iterable<String> names) {
            for (String name : names) {
                String exact = exact(name);
                if (exact != null) {
                    used.add(exact);
                }
            }
        }

        static boolean needsLongName(String name) {
            return exact(name) == null;
        }

        /** The 11-byte form of a name that is a valid upper-case 8.3 name, else null. */
        private static String exact(String name) {
            int dot = name.indexOf('.');
            String base = dot < 0 ? name : name.substring(0, dot);
            String ext = dot < 0 ? "" : name.substring(dot + 1);
            if (base.isEmpty() || base.length() > 8 || ext.length() > 3 || ext.indexOf('.') >= 0
                    || !(base + ext).chars().allMatch(ShortNames::shortNameChar)) {
                return null;
            }
            return String.format(Locale.ROOT, "%-8s%-3s", base, ext);
        }

        private static boolean shortNameChar(int c) {
            return c > 0x20 && c < 0x7f && !(c >= 'a' && c <= 'z') && SHORT_NAME_INVALID.indexOf(c) < 0;
        }

        /** This directory's 11-byte short name for {@code name}, unique among those given before. */
        String next(String name) {
            String exact = exact(name);
            if (exact != null) {
                return exact;
            }
            String stripped = name.replace(" ", "").replaceFirst("^\\.+", "");
            int dot = stripped.lastIndexOf('.');
            String base = basis(dot < 0 ? stripped : stripped.substring(0, dot));
            String ext = basis(dot < 0 ? "" : stripped.substring(dot + 1));
            ext = ext.substring(0, Math.min(3, ext.length()));
            if (base.isEmpty()) {
                base = "_";
            }
            for (int n = 1; ; n++) {
                String tail = "~" + n;
                String candidate = String.format(Locale.ROOT, "%-8s%-3s",
                        base.substring(0, Math.min(base.length(), 8 - tail.length())) + tail, ext);
                if (used.add(candidate)) {
                    return candidate;
                }
            }
        }

        private static String basis(String part) {
            StringBuilder b = new StringBuilder();
            part.toUpperCase(Locale.ROOT).chars().forEach(c -> b.append(shortNameChar(c) ? (char) c : '_'));
            return b.toString().replace(".", "");
        }

        static int checksum(byte[] shortName) {
            int sum = 0;
            for (byte b : shortName) {
                sum = (((sum & 1) << 7) + (sum >> 1) + (b & 0xff)) & 0xff;
            }
            return sum;
        }
    }

    private static final class Writer {
        private final Geometry g;
        private final byte[] label;
        private final int volumeId;
        private final byte[] image;
        private final ByteBuffer buffer;
        private int nextCluster = 2;

        Writer(Geometry g, byte[] label, int volumeId) {
            this.g = g;
            this.label = label;
            this.volumeId = volumeId;
            this.image = new byte[Math.toIntExact(g.totalSectors() * SECTOR)];
            this.buffer = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        }

        byte[] write(Directory root) {
            bootSector();
            setFat(0, (g.fatBits() == 12 ? 0xf00 : 0xff00) | 0xf8);
            setFat(1, endOfChain());
            List<byte[]> entries = new ArrayList<>();
            entries.add(shortEntry(label, ATTR_VOLUME, 0, 0));
            children(root, 0, entries);
            long rootOffset = (RESERVED_SECTORS + (long) FATS * g.fatSectors()) * SECTOR;
            for (int i = 0; i < entries.size(); i++) {
                System.arraycopy(entries.get(i), 0, image, (int) rootOffset + 32 * i, 32);
            }
            int fatBytes = g.fatSectors() * SECTOR;
            System.arraycopy(image, RESERVED_SECTORS * SECTOR, image, RESERVED_SECTORS * SECTOR + fatBytes, fatBytes);
            return image;
        }

        private void bootSector() {
            buffer.put(0, new byte[] {(byte) 0xeb, 0x3c, (byte) 0x90});
            buffer.put(3, "METALBT ".getBytes(StandardCharsets.US_ASCII));
            buffer.putShort(11, (short) SECTOR).put(13, (byte) g.sectorsPerCluster())
                    .putShort(14, (short) RESERVED_SECTORS).put(16, (byte) FATS).putShort(17, (short) ROOT_ENTRIES)
                    .putShort(19, (short) (g.totalSectors() < 0x10000 ? g.totalSectors() : 0)).put(21, (byte) 0xf8)
                    .putShort(22, (short) g.fatSectors()).putShort(24, (short) 32).putShort(26, (short) 64)
                    .putInt(28, 0).putInt(32, g.totalSectors() < 0x10000 ? 0 : (int) g.totalSectors())
                    .put(36, (byte) 0x80).put(38, (byte) 0x29).putInt(39, volumeId).put(43, label)
                    .put(54, (g.fatBits() == 12 ? "FAT12   " : "FAT16   ").getBytes(StandardCharsets.US_ASCII));
            // The jump lands on INT 18h: "not bootable" to a BIOS that boots the partition anyway.
            buffer.put(62, (byte) 0xcd).put(63, (byte) 0x18);
            buffer.put(510, (byte) 0x55).put(511, (byte) 0xaa);
        }

        /** Allocates and writes every child of {@code dir} (whose first cluster is {@code dirCluster}), adding its entries to {@code entries}. */
        private void children(Directory dir, int dirCluster, List<byte[]> entries) {
            ShortNames shortNames = new ShortNames(dir.children().keySet());
            for (Map.Entry<String, Object> child : dir.children().entrySet()) {
                String name = child.getKey();
                byte[] shortName = shortNames.next(name).getBytes(StandardCharsets.US_ASCII);
                if (ShortNames.needsLongName(name)) {
                    entries.addAll(longEntries(name, ShortNames.checksum(shortName)));
                }
                if (child.getValue() instanceof Directory sub) {
                    int clusters = (int) ((sub.entries() * 32L + g.clusterBytes() - 1) / g.clusterBytes());
                    int first = allocate(clusters);
                    entries.add(shortEntry(shortName, ATTR_DIRECTORY, first, 0));
                    List<byte[]> subEntries = new ArrayList<>();
                    subEntries.add(shortEntry(".          ".getBytes(StandardCharsets.US_ASCII), ATTR_DIRECTORY, first, 0));
                    subEntries.add(shortEntry("..         ".getBytes(StandardCharsets.US_ASCII), ATTR_DIRECTORY, dirCluster, 0));
                    children(sub, first, subEntries);
                    long at = clusterOffset(first);
                    for (int i = 0; i < subEntries.size(); i++) {
                        System.arraycopy(subEntries.get(i), 0, image, (int) (at + 32L * i), 32);
                    }
                } else {
                    byte[] bytes = (byte[]) child.getValue();
                    int clusters = (bytes.length + g.clusterBytes() - 1) / g.clusterBytes();
                    int first = clusters == 0 ? 0 : allocate(clusters);
                    entries.add(shortEntry(shortName, ATTR_ARCHIVE, first, bytes.length));
                    if (clusters > 0) {
                        System.arraycopy(bytes, 0, image, (int) clusterOffset(first), bytes.length);
                    }
                }
            }
        }

        /** A contiguous chain of {@code count} clusters; its first. */
        private int allocate(int count) {
            int first = nextCluster;
            for (int c = first; c < first + count; c++) {
                setFat(c, c == first + count - 1 ? endOfChain() : c + 1);
            }
            nextCluster += count;
            return first;
        }

        private long clusterOffset(int cluster) {
            return (g.dataSector() + (long) (cluster - 2) * g.sectorsPerCluster()) * SECTOR;
        }

        private int endOfChain() {
            return g.fatBits() == 12 ? 0xfff : 0xffff;
        }

        private void setFat(int cluster, int value) {
            int fat = RESERVED_SECTORS * SECTOR;
            if (g.fatBits() == 16) {
                buffer.putShort(fat + 2 * cluster, (short) value);
                return;
            }
            int at = fat + cluster + cluster / 2;
            if (cluster % 2 == 0) {
                image[at] = (byte) value;
                image[at + 1] = (byte) ((image[at + 1] & 0xf0) | (value >> 8 & 0x0f));
            } else {
                image[at] = (byte) ((image[at] & 0x0f) | (value << 4 & 0xf0));
                image[at + 1] = (byte) (value >> 4);
            }
        }

        private static byte[] shortEntry(byte[] shortName, int attributes, int cluster, int size) {
            ByteBuffer e = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
            e.put(0, shortName).put(11, (byte) attributes);
            if (attributes != ATTR_VOLUME) {
                e.putShort(16, (short) DATE_1980_01_01).putShort(18, (short) DATE_1980_01_01);
                e.putShort(26, (short) cluster).putInt(28, size);
            }
            e.putShort(24, (short) DATE_1980_01_01);
            return e.array();
        }

        /** The long-name entries of {@code name}, in disk order (the last part first, marked 0x40). */
        private static List<byte[]> longEntries(String name, int checksum) {
            int parts = (name.length() + 12) / 13;
            List<byte[]> entries = new ArrayList<>();
            int[] offsets = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};
            for (int part = parts; part >= 1; part--) {
                ByteBuffer e = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
                e.put(0, (byte) (part | (part == parts ? 0x40 : 0))).put(11, (byte) ATTR_LONG_NAME).put(13, (byte) checksum);
                for (int i = 0; i < 13; i++) {
                    int k = (part - 1) * 13 + i;
                    e.putShort(offsets[i], (short) (k < name.length() ? name.charAt(k) : k == name.length() ? 0 : 0xffff));
                }
                entries.add(e.array());
            }
            return entries;
        }
    }
}
