package io.metalboot.agent.deploy;

import io.metalboot.agent.deploy.table.PartitionTable;
import io.metalboot.agent.deploy.table.PartitionTableCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Wipes what would make an old layout come back, before an image is written: the first and last
 * MiB of the disk (MBR, the GPT's primary header and entries, and its backup at the end; LVM's
 * label, the ext2/3/4, XFS, btrfs and swap superblocks, MD RAID's 1.1/1.2 superblocks at the
 * start, 0.90/1.0 at the end) and the first and last MiB of every partition the old table — primary
 * GPT, backup GPT or MBR — names, where the filesystems and RAID members inside it keep theirs.
 * Zeroing whole ranges covers every magic {@code wipefs} knows at those places, and some it does not.
 */
public final class SignatureWiper {
    static final long EDGE = 1024 * 1024;

    /** What was wiped: the old table, and the byte ranges zeroed. */
    public record WipeReport(PartitionTable oldTable, List<long[]> ranges) {
        public String summary() {
            return "old table " + oldTable.kind().label() + " with " + oldTable.partitions().size() + " partition(s)"
                    + (oldTable.headerLbas().isEmpty() ? "" : ", GPT headers at LBA " + oldTable.headerLbas())
                    + "; " + ranges.size() + " range(s) zeroed";
        }
    }

    private SignatureWiper() {
    }

    public static WipeReport wipe(TargetDevice device, ByteBuffer zeros) throws IOException {
        long size = device.size();
        if (size == 0) {
            return new WipeReport(PartitionTable.none(), List.of());
        }
        PartitionTable old = PartitionTableCodec.read((offset, length) -> read(device, offset, length), size,
                device.sectorSize());
        List<long[]> ranges = new ArrayList<>();
        edges(0, size, size, ranges);
        for (PartitionTable.Partition p : old.partitions()) {
            if (p.startBytes() < size) {
                edges(p.startBytes(), Math.min(p.endBytes(), size), size, ranges);
            }
        }
        zero(device, ranges, zeros);
        device.sync();
        return new WipeReport(old, ranges);
    }

    /** Zeroes the first and last MiB of the first {@code size} bytes (not synced). */
    static void zeroEdges(TargetDevice device, long size, ByteBuffer zeros) throws IOException {
        List<long[]> ranges = new ArrayList<>();
        edges(0, size, size, ranges);
        zero(device, ranges, zeros);
    }

    private static void zero(TargetDevice device, List<long[]> ranges, ByteBuffer zeros) throws IOException {
        for (long[] r : ranges) {
            if (r[1] > r[0]) {
                device.zeroOut(r[0], r[1] - r[0], zeros);
            }
        }
    }

    private static void edges(long start, long end, long size, List<long[]> ranges) {
        long head = Math.min(end, start + EDGE);
        ranges.add(new long[] {start, head});
        long tail = Math.max(head, end - EDGE);
        if (tail < end) {
            ranges.add(new long[] {tail, Math.min(end, size)});
        }
    }

    static byte[] read(TargetDevice device, long offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(length);
        int n = device.read(buffer, offset);
        byte[] bytes = new byte[length];
        buffer.flip().get(bytes, 0, n);
        return bytes;
    }
}
