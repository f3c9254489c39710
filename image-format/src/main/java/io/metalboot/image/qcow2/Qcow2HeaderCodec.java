package io.metalboot.image.qcow2;

import io.metalboot.image.MalformedImageException;
import io.metalboot.image.UnsupportedImageException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Bytes → {@link Qcow2Header}. Decoding checks that the header agrees with itself and with the
 * file's length (sizes and offsets that contradict each other are refused here); which features
 * a reader accepts is {@link Qcow2Reader}'s business, not the codec's.
 */
public final class Qcow2HeaderCodec {
    static final int V2_LENGTH = 72;
    static final int V3_MIN_LENGTH = 104;
    static final int MIN_CLUSTER_BITS = 9;
    static final int MAX_CLUSTER_BITS = 21;
    /** QEMU's own limit on the L1 table (32 MiB); a header past it is not one QEMU wrote. */
    static final long MAX_L1_BYTES = 32L * 1024 * 1024;

    private static final int EXT_END = 0;
    private static final int EXT_BACKING_FORMAT = 0xe2792aca;
    private static final int EXT_FEATURE_NAMES = 0x6803f857;
    private static final int EXT_ENCRYPTION = 0x0537be77;
    private static final int EXT_EXTERNAL_DATA = 0x44415441;

    private Qcow2HeaderCodec() {
    }

    /** Bytes a decoder needs before it knows the cluster size. */
    public static int fixedHeaderBytes() {
        return V3_MIN_LENGTH;
    }

    /** The cluster size a header's first bytes give, so a reader knows how much to read for all of it. */
    public static int clusterSize(byte[] head, int length) throws MalformedImageException {
        if (length < V2_LENGTH || ByteBuffer.wrap(head).getInt(0) != Qcow2Header.MAGIC) {
            throw new MalformedImageException("no qcow2 header (" + length + " bytes)");
        }
        int clusterBits = ByteBuffer.wrap(head).getInt(20);
        if (clusterBits < MIN_CLUSTER_BITS || clusterBits > MAX_CLUSTER_BITS) {
            throw new MalformedImageException("cluster_bits " + clusterBits + " is outside 9..21 (512 B to 2 MiB clusters)");
        }
        return 1 << clusterBits;
    }

    /**
     * The header in {@code head} (the first {@code length} bytes of a file of {@code fileSize}
     * bytes; the whole first cluster, or all of a smaller file, for its extensions).
     */
    public static Qcow2Header decode(byte[] head, int length, long fileSize) throws MalformedImageException,
            UnsupportedImageException {
        if (length < V2_LENGTH) {
            throw new MalformedImageException("a qcow2 header is at least 72 bytes; the file has " + length);
        }
        ByteBuffer b = ByteBuffer.wrap(head, 0, length);
        if (b.getInt(0) != Qcow2Header.MAGIC) {
            throw new MalformedImageException("no qcow2 magic");
        }
        int version = b.getInt(4);
        if (version != 2 && version != 3) {
            throw new UnsupportedImageException("qcow2 version " + Integer.toUnsignedString(version),
                    "versions 2 and 3 are read");
        }
        long backingFileOffset = b.getLong(8);
        int backingFileSize = b.getInt(16);
        int clusterBits = b.getInt(20);
        long virtualSize = b.getLong(24);
        int cryptMethod = b.getInt(32);
        int l1Size = b.getInt(36);
        long l1TableOffset = b.getLong(40);
        long refcountTableOffset = b.getLong(48);
        int refcountTableClusters = b.getInt(56);
        int snapshotCount = b.getInt(60);
        long snapshotsOffset = b.getLong(64);

        long incompatible = 0;
        long compatible = 0;
        long autoclear = 0;
        int refcountOrder = 4;
        int headerLength = V2_LENGTH;
        int compressionType = Qcow2Header.COMPRESSION_ZLIB;
        if (version == 3) {
            if (length < V3_MIN_LENGTH) {
                throw new MalformedImageException("a qcow2 v3 header is at least 104 bytes; the file has " + length);
            }
            incompatible = b.getLong(72);
            compatible = b.getLong(80);
            autoclear = b.getLong(88);
            refcountOrder = b.getInt(96);
            headerLength = b.getInt(100);
            if (headerLength < V3_MIN_LENGTH || headerLength % 8 != 0) {
                throw new MalformedImageException("header_length " + Integer.toUnsignedString(headerLength)
                        + " is not a multiple of 8 of at least 104");
            }
        }
        if (clusterBits < MIN_CLUSTER_BITS || clusterBits > MAX_CLUSTER_BITS) {
            throw new MalformedImageException("cluster_bits " + clusterBits + " is outside 9..21 (512 B to 2 MiB clusters)");
        }
        int clusterSize = 1 << clusterBits;
        if (headerLength > clusterSize) {
            throw new MalformedImageException("header_length " + headerLength + " exceeds the first cluster (" + clusterSize + ")");
        }
        if (headerLength > length) {
            throw new MalformedImageException("header_length " + headerLength + ", but the file has " + length + " bytes");
        }
        if (version == 3 && headerLength > 104) {
            compressionType = head[104] & 0xff;
        }
        if (((incompatible & Qcow2Header.INCOMPATIBLE_COMPRESSION_TYPE) != 0) != (compressionType != 0)) {
            throw new MalformedImageException("the compression type bit (" + ((incompatible & 8) != 0)
                    + ") contradicts compression_type " + compressionType);
        }
        if ((incompatible & Qcow2Header.INCOMPATIBLE_EXTENDED_L2) != 0 && clusterBits < 14) {
            throw new MalformedImageException("extended L2 entries need clusters of at least 16 KiB, not " + clusterSize);
        }
        if (refcountOrder < 0 || refcountOrder > 6) {
            throw new MalformedImageException("refcount_order " + refcountOrder + " is outside 0..6");
        }
        if (virtualSize < 0) {
            throw new MalformedImageException("virtual size " + Long.toUnsignedString(virtualSize) + " is beyond 2^63");
        }
        if (l1Size < 0 || (long) l1Size * 8 > MAX_L1_BYTES) {
            throw new MalformedImageException("l1_size " + Integer.toUnsignedString(l1Size) + " exceeds 32 MiB of L1 table");
        }
        if (l1TableOffset % clusterSize != 0 || (l1Size > 0 && (l1TableOffset <= 0 || l1TableOffset >= fileSize
                || l1TableOffset + 8L * l1Size > fileSize))) {
            throw new MalformedImageException("the L1 table (" + l1Size + " entries at " + l1TableOffset
                    + ") is unaligned or lies outside the file of " + fileSize + " bytes");
        }
        if (refcountTableOffset % clusterSize != 0) {
            throw new MalformedImageException("refcount_table_offset " + refcountTableOffset + " is not cluster-aligned");
        }
        int entryBytes = (incompatible & Qcow2Header.INCOMPATIBLE_EXTENDED_L2) != 0 ? 16 : 8;
        long bytesPerL2 = (long) (clusterSize / entryBytes) << clusterBits;
        long needed = virtualSize / bytesPerL2 + (virtualSize % bytesPerL2 != 0 ? 1 : 0);
        if (needed > l1Size) {
            throw new MalformedImageException("l1_size " + l1Size + " maps "
                    + (long) l1Size * bytesPerL2 + " bytes, less than the virtual size " + virtualSize);
        }

        Optional<String> backingFile = Optional.empty();
        if (backingFileOffset != 0) {
            if (backingFileSize <= 0 || backingFileSize > 1023 || backingFileOffset < headerLength
                    || backingFileOffset > Math.min(clusterSize, length) - backingFileSize) {
                throw new MalformedImageException("the backing file name (" + backingFileSize + " bytes at "
                        + backingFileOffset + ") does not fit the first cluster");
            }
            backingFile = Optional.of(new String(head, (int) backingFileOffset, backingFileSize, StandardCharsets.UTF_8));
        }

        Optional<String> backingFormat = Optional.empty();
        Optional<String> externalData = Optional.empty();
        boolean encryptionHeader = false;
        Map<Integer, String> names = new HashMap<>();
        if (version == 3) {
            int end = Math.min(clusterSize, length);
            int pos = headerLength;
            while (true) {
                if (pos + 8 > end) {
                    throw new MalformedImageException("the header extensions run past the first cluster");
                }
                int type = b.getInt(pos);
                int extLength = b.getInt(pos + 4);
                if (type == EXT_END) {
                    break;
                }
                if (extLength < 0 || pos + 8L + extLength > end) {
                    throw new MalformedImageException("header extension 0x" + Integer.toHexString(type) + " of "
                            + Integer.toUnsignedString(extLength) + " bytes runs past the first cluster");
                }
                int data = pos + 8;
                switch (type) {
                    case EXT_BACKING_FORMAT -> backingFormat = Optional.of(new String(head, data, extLength, StandardCharsets.UTF_8));
                    case EXT_EXTERNAL_DATA -> externalData = Optional.of(new String(head, data, extLength, StandardCharsets.UTF_8));
                    case EXT_ENCRYPTION -> encryptionHeader = true;
                    case EXT_FEATURE_NAMES -> {
                        for (int e = data; e + 48 <= data + extLength; e += 48) {
                            int key = (head[e] & 0xff) << 8 | (head[e + 1] & 0xff);
                            int nameEnd = e + 2;
                            while (nameEnd < e + 48 && head[nameEnd] != 0) {
                                nameEnd++;
                            }
                            names.put(key, new String(head, e + 2, nameEnd - e - 2, StandardCharsets.UTF_8));
                        }
                    }
                    default -> {
                        // unknown extensions may be ignored (the spec says so)
                    }
                }
                pos = data + ((extLength + 7) & ~7);
            }
        }
        return new Qcow2Header(version, backingFileOffset, backingFileSize, clusterBits, virtualSize, cryptMethod,
                l1Size, l1TableOffset, refcountTableOffset, refcountTableClusters, snapshotCount, snapshotsOffset,
                incompatible, compatible, autoclear, refcountOrder, headerLength, compressionType, backingFile,
                backingFormat, externalData, encryptionHeader, names);
    }
}
