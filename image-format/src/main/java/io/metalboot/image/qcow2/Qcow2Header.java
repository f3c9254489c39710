package io.metalboot.image.qcow2;

import java.util.Map;
import java.util.Optional;

/**
 * A qcow2 header as stored (docs/interop/qcow2.txt in QEMU), with the header extensions this
 * reader looks at. Version 2 images carry the version 3 fields' defaults.
 */
public record Qcow2Header(
        int version,
        long backingFileOffset,
        int backingFileSize,
        int clusterBits,
        long virtualSize,
        int cryptMethod,
        int l1Size,
        long l1TableOffset,
        long refcountTableOffset,
        int refcountTableClusters,
        int snapshotCount,
        long snapshotsOffset,
        long incompatibleFeatures,
        long compatibleFeatures,
        long autoclearFeatures,
        int refcountOrder,
        int headerLength,
        int compressionType,
        Optional<String> backingFile,
        Optional<String> backingFormat,
        Optional<String> externalDataFile,
        boolean encryptionHeader,
        // names from the feature name table, keyed by (type << 8 | bit)
        Map<Integer, String> featureNames) {

    public static final int MAGIC = 0x514649fb;
    public static final long INCOMPATIBLE_DIRTY = 1L;
    public static final long INCOMPATIBLE_CORRUPT = 1L << 1;
    public static final long INCOMPATIBLE_EXTERNAL_DATA = 1L << 2;
    public static final long INCOMPATIBLE_COMPRESSION_TYPE = 1L << 3;
    public static final long INCOMPATIBLE_EXTENDED_L2 = 1L << 4;
    public static final long INCOMPATIBLE_KNOWN = (1L << 5) - 1;
    public static final int COMPRESSION_ZLIB = 0;
    public static final int COMPRESSION_ZSTD = 1;

    public Qcow2Header {
        featureNames = Map.copyOf(featureNames);
    }

    public int clusterSize() {
        return 1 << clusterBits;
    }

    public boolean extendedL2() {
        return (incompatibleFeatures & INCOMPATIBLE_EXTENDED_L2) != 0;
    }

    /** Bytes per L2 entry: 8, or 16 with extended L2 entries (the entry and its subcluster bitmap). */
    public int l2EntryBytes() {
        return extendedL2() ? 16 : 8;
    }

    public int l2Entries() {
        return clusterSize() / l2EntryBytes();
    }

    /** Guest bytes one L2 table maps. */
    public long bytesPerL2() {
        return (long) l2Entries() << clusterBits;
    }

    /** L1 entries needed to map the virtual size. */
    public long l1EntriesNeeded() {
        return (virtualSize + bytesPerL2() - 1) / bytesPerL2();
    }

    /** The incompatible feature's name from the image's own feature name table, if it has one. */
    public Optional<String> incompatibleFeatureName(int bit) {
        return Optional.ofNullable(featureNames.get(bit));
    }
}
