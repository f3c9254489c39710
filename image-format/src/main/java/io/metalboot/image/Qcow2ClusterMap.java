package io.metalboot.image;

import io.metalboot.image.qcow2.Qcow2Header;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where each guest byte of a qcow2 comes from, built from its L1 and L2 tables: data runs
 * (host bytes → guest offset; standard clusters merge while both sides stay contiguous, each
 * compressed cluster is its own run) and zero runs (zero and unallocated clusters and
 * subclusters, merged, in guest order). L2 tables are fed in guest order, a batch at a time, so
 * only the runs are kept, never all the tables.
 */
final class Qcow2ClusterMap {
    /** {@code hostLength} bytes at {@code host} give the guest bytes at {@code guest}. */
    record DataRun(long host, long guest, int hostLength, boolean compressed) {
    }

    static final long L1_RESERVED = 0x7f000000000001ffL;
    static final long OFFSET_MASK = 0x00fffffffffffe00L;
    static final long L2_COMPRESSED = 1L << 62;
    static final long L2_COPIED = 1L << 63;
    static final long L2_STANDARD_RESERVED = 0x3f000000000001feL;
    static final long L2_ZERO = 1L;

    private final Qcow2Header header;
    private final long fileSize;
    private final int maxRun;
    private final List<DataRun> data = new ArrayList<>();
    private long[] zeros = new long[32];
    private int zeroPairs;
    private long zeroBytes;
    private long dataGuestBytes;
    private DataRun open;

    Qcow2ClusterMap(Qcow2Header header, long fileSize, int maxRun) {
        this.header = header;
        this.fileSize = fileSize;
        this.maxRun = maxRun;
    }

    /** The L1 entry's L2 table offset, or 0 for an unallocated one. */
    long l2Offset(int l1Index, long entry) throws MalformedImageException {
        if ((entry & L1_RESERVED) != 0) {
            throw new MalformedImageException("L1 entry " + l1Index + " (0x" + Long.toHexString(entry) + ") has reserved bits set");
        }
        long offset = entry & OFFSET_MASK;
        if (offset == 0) {
            return 0;
        }
        if (offset % header.clusterSize() != 0 || offset + header.clusterSize() > fileSize) {
            throw new MalformedImageException("L1 entry " + l1Index + " points at an L2 table at " + offset
                    + ", which is unaligned or lies outside the file of " + fileSize + " bytes");
        }
        return offset;
    }

    /** A whole L1 entry without an L2 table: its guest range reads as zeros. */
    void unallocatedTable(int l1Index) {
        long guest = (long) l1Index * header.bytesPerL2();
        zero(guest, Math.min(header.bytesPerL2(), header.virtualSize() - guest));
    }

    /** The L2 table of L1 entry {@code l1Index}. */
    void table(int l1Index, byte[] table) throws MalformedImageException {
        ByteBuffer b = ByteBuffer.wrap(table);
        int clusterBits = header.clusterBits();
        int clusterSize = header.clusterSize();
        boolean extended = header.extendedL2();
        long firstGuest = (long) l1Index * header.bytesPerL2();
        for (int i = 0; i < header.l2Entries(); i++) {
            long guest = firstGuest + ((long) i << clusterBits);
            if (guest >= header.virtualSize()) {
                return;
            }
            int guestLength = (int) Math.min(clusterSize, header.virtualSize() - guest);
            long entry = b.getLong(i * header.l2EntryBytes());
            long bitmap = extended ? b.getLong(i * 16 + 8) : 0;
            if ((entry & L2_COMPRESSED) != 0) {
                compressed(guest, entry, bitmap);
            } else if (extended) {
                subclusters(guest, guestLength, entry, bitmap);
            } else {
                if ((entry & L2_STANDARD_RESERVED) != 0) {
                    throw reserved(guest, entry);
                }
                long host = entry & OFFSET_MASK;
                if ((entry & L2_ZERO) != 0) {
                    if (header.version() < 3) {
                        throw new MalformedImageException("the L2 entry of guest offset " + guest
                                + " has the zero flag, which version 2 has not");
                    }
                    zero(guest, guestLength);
                } else if (host == 0) {
                    if ((entry & L2_COPIED) != 0) {
                        throw new MalformedImageException("the L2 entry of guest offset " + guest
                                + " maps host offset 0 (only external data files may)");
                    }
                    zero(guest, guestLength);
                } else {
                    standard(guest, aligned(guest, host), guestLength);
                }
            }
        }
    }

    private void subclusters(long guest, int guestLength, long entry, long bitmap) throws MalformedImageException {
        if ((entry & (L2_STANDARD_RESERVED | L2_ZERO)) != 0) {
            throw reserved(guest, entry);
        }
        long host = entry & OFFSET_MASK;
        int allocated = (int) bitmap;
        int reads0 = (int) (bitmap >>> 32);
        if ((allocated & reads0) != 0) {
            throw new MalformedImageException("the subclusters " + Integer.toBinaryString(allocated & reads0)
                    + " of guest offset " + guest + " are both allocated and zero");
        }
        if (allocated != 0 && host == 0) {
            throw new MalformedImageException("the L2 entry of guest offset " + guest
                    + " has allocated subclusters but no host offset");
        }
        if (allocated != 0) {
            aligned(guest, host);
        }
        int subclusterSize = header.clusterSize() / 32;
        for (int sc = 0; sc < 32; sc++) {
            int from = sc * subclusterSize;
            if (from >= guestLength) {
                return;
            }
            int length = Math.min(subclusterSize, guestLength - from);
            if ((allocated & (1 << sc)) != 0) {
                standard(guest + from, host + from, length);
            } else {
                zero(guest + from, length); // zero, or unallocated without a backing file
            }
        }
    }

    private void compressed(long guest, long entry, long bitmap) throws MalformedImageException {
        if (bitmap != 0) {
            throw new MalformedImageException("the compressed cluster of guest offset " + guest
                    + " has a subcluster bitmap (reserved for compressed clusters)");
        }
        int x = 62 - (header.clusterBits() - 8);
        long host = entry & ((1L << x) - 1);
        if ((host & ~OFFSET_MASK & ~0x1ffL) != 0) {
            throw reserved(guest, entry);
        }
        long sectors = ((entry & ~L2_COPIED & ~L2_COMPRESSED) >>> x) + 1;
        long length = sectors * 512 - (host & 511);
        if (host == 0 || host >= fileSize) {
            throw new MalformedImageException("the compressed cluster of guest offset " + guest + " points at host offset "
                    + host + ", outside the file of " + fileSize + " bytes");
        }
        // The last sector may run past the end of the file; what is there decompresses or it does not.
        length = Math.min(length, fileSize - host);
        closeRun();
        data.add(new DataRun(host, guest, (int) length, true));
        dataGuestBytes += Math.min(header.clusterSize(), header.virtualSize() - guest);
    }

    private void standard(long guest, long host, int length) throws MalformedImageException {
        if (host >= fileSize) {
            throw new MalformedImageException("the L2 entry of guest offset " + guest + " points at host offset "
                    + host + ", outside the file of " + fileSize + " bytes");
        }
        // A last cluster cut short by the end of the file reads as zeros past it, as QEMU reads it.
        int present = (int) Math.min(length, fileSize - host);
        if (open != null && !open.compressed() && open.host() + open.hostLength() == host
                && open.guest() + open.hostLength() == guest && open.hostLength() + present <= maxRun) {
            open = new DataRun(open.host(), open.guest(), open.hostLength() + present, false);
        } else {
            closeRun();
            open = new DataRun(host, guest, present, false);
        }
        dataGuestBytes += present;
        if (present < length) {
            closeRun();
            zero(guest + present, length - present);
        }
    }

    private long aligned(long guest, long host) throws MalformedImageException {
        if (host % header.clusterSize() != 0) {
            throw new MalformedImageException("the L2 entry of guest offset " + guest + " points at host offset "
                    + host + ", which is not cluster-aligned");
        }
        return host;
    }

    private void closeRun() {
        if (open != null) {
            data.add(open);
            open = null;
        }
    }

    private void zero(long guest, long length) {
        zeroBytes += length;
        if (zeroPairs > 0 && zeros[2 * zeroPairs - 2] + zeros[2 * zeroPairs - 1] == guest) {
            zeros[2 * zeroPairs - 1] += length;
            return;
        }
        if (2 * zeroPairs + 2 > zeros.length) {
            zeros = java.util.Arrays.copyOf(zeros, zeros.length * 2);
        }
        zeros[2 * zeroPairs] = guest;
        zeros[2 * zeroPairs + 1] = length;
        zeroPairs++;
    }

    private static MalformedImageException reserved(long guest, long entry) {
        return new MalformedImageException("the L2 entry of guest offset " + guest + " (0x" + Long.toHexString(entry)
                + ") has reserved bits set");
    }

    /** The data runs in file order, for one pass over the file. */
    List<DataRun> dataRunsInFileOrder() {
        closeRun();
        List<DataRun> sorted = new ArrayList<>(data);
        sorted.sort(Comparator.comparingLong(DataRun::host));
        return sorted;
    }

    int zeroRunCount() {
        return zeroPairs;
    }

    long zeroRunStart(int i) {
        return zeros[2 * i];
    }

    long zeroRunLength(int i) {
        return zeros[2 * i + 1];
    }

    long zeroBytes() {
        return zeroBytes;
    }

    long dataGuestBytes() {
        return dataGuestBytes;
    }
}
