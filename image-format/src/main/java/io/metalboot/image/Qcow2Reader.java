package io.metalboot.image;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import io.metalboot.image.qcow2.Qcow2Header;
import io.metalboot.image.qcow2.Qcow2HeaderCodec;
import io.metalboot.image.source.ByteSpan;
import io.metalboot.image.source.ImageSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads a qcow2 without a temporary copy and without holding it in memory.
 *
 * <p>Design: first the metadata by position (the header's cluster, the L1 table, then the L2
 * tables a batch at a time, in guest order), which becomes a {@link Qcow2ClusterMap}; every
 * feature and every pointer is checked before the first guest byte goes out. Then the zero
 * runs, then one pass over the whole file from its first byte: each data run is taken from a
 * sliding window as the stream passes it (file order), compressed clusters are inflated, and
 * every byte goes through the checksum. The metadata bytes are read twice (by position, then in
 * the stream, where they must be the same: a file replaced in between is refused); every data
 * byte once.
 *
 * <p>Bound: the window ({@link #windowBytes}: 16 MiB, or 4 × the largest compressed cluster),
 * one decompressed cluster, at most {@link #L2_BATCH_BYTES} of L2 tables while the map is
 * built, and the map: about 48 bytes per data run (contiguous clusters merge; each compressed
 * cluster is one run), 16 per zero run and 24 per L2 table.
 */
final class Qcow2Reader {
    static final int L2_BATCH_BYTES = 8 * 1024 * 1024;
    private static final int MAX_RUN = 4 * 1024 * 1024;

    private final ImageSource source;
    private final ChecksumAlgorithm algorithm;
    private final ExtentSink sink;

    Qcow2Reader(ImageSource source, ChecksumAlgorithm algorithm, ExtentSink sink) {
        this.source = source;
        this.algorithm = algorithm;
        this.sink = sink;
    }

    ImageReadResult read() throws IOException {
        long fileSize = source.size();
        if (fileSize < 0) {
            throw new UnsupportedImageException("qcow2 of unknown length", source.describe()
                    + " does not say how long it is (no Content-Length), which a qcow2 needs");
        }
        List<SourceStream.Watched> watched = new ArrayList<>();
        int fixed = (int) Math.min(fileSize, Qcow2HeaderCodec.fixedHeaderBytes());
        int clusterSize = Qcow2HeaderCodec.clusterSize(readWatched(new ByteSpan(0, fixed), null), fixed);
        int headLength = (int) Math.min(fileSize, clusterSize);
        byte[] head = readWatched(new ByteSpan(0, headLength), watched);
        Qcow2Header header = Qcow2HeaderCodec.decode(head, headLength, fileSize);
        refuseUnsupported(header);

        int maxCompressed = 2 * header.clusterSize();
        int maxRun = Math.max(MAX_RUN, maxCompressed);
        Qcow2ClusterMap map = new Qcow2ClusterMap(header, fileSize, maxRun);
        buildMap(header, fileSize, map, watched);

        for (int i = 0; i < map.zeroRunCount(); i++) {
            sink.zeros(map.zeroRunStart(i), map.zeroRunLength(i));
        }
        watched.sort(java.util.Comparator.comparingLong(SourceStream.Watched::offset));
        long dataBytes;
        try (SourceStream stream = new SourceStream(source.openStream(), algorithm, fileSize, source.describe(), watched)) {
            dataBytes = streamData(header, map, stream, (int) Math.min(windowBytes(maxRun), Math.max(fileSize, 1)));
            stream.drain(new byte[64 * 1024]);
            byte[] sum = stream.finish();
            return new ImageReadResult(ImageFormat.QCOW2, header.virtualSize(), fileSize, dataBytes,
                    map.zeroBytes(), ImageChecksum.of(algorithm, sum));
        }
    }

    static int windowBytes(int maxRun) {
        return Math.max(16 * 1024 * 1024, 2 * maxRun);
    }

    private byte[] readWatched(ByteSpan span, List<SourceStream.Watched> watched) throws IOException {
        byte[] bytes = source.read(List.of(span)).get(0);
        if (watched != null) {
            watch(watched, span, bytes);
        }
        return bytes;
    }

    private static void watch(List<SourceStream.Watched> watched, ByteSpan span, byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length);
        watched.add(new SourceStream.Watched(span.offset(), span.length(), (int) crc.getValue()));
    }

    /** What this reader does not implement is refused by name before any byte is written. */
    static void refuseUnsupported(Qcow2Header h) throws ImageException {
        if (h.backingFile().isPresent()) {
            throw new UnsupportedImageException("backing file", "the image reads through '" + h.backingFile().get() + "'"
                    + h.backingFormat().map(f -> " (" + f + ")").orElse("")
                    + "; flatten it first: qemu-img convert -O qcow2 <image> <flat image>");
        }
        if (h.cryptMethod() != 0 || h.encryptionHeader()) {
            String method = switch (h.cryptMethod()) {
                case 1 -> "AES";
                case 2 -> "LUKS";
                default -> "method " + Integer.toUnsignedString(h.cryptMethod());
            };
            throw new UnsupportedImageException("encryption", "the image is encrypted (" + method + ")");
        }
        long unknown = h.incompatibleFeatures() & ~Qcow2Header.INCOMPATIBLE_KNOWN;
        if (unknown != 0) {
            int bit = Long.numberOfTrailingZeros(unknown);
            throw new UnsupportedImageException("incompatible feature bit " + bit
                    + h.incompatibleFeatureName(bit).map(n -> " (" + n + ")").orElse(""),
                    "this reader knows bits 0-4 (dirty, corrupt, external data file, compression type, extended L2)");
        }
        if ((h.incompatibleFeatures() & Qcow2Header.INCOMPATIBLE_CORRUPT) != 0) {
            throw new MalformedImageException("the image is marked corrupt (incompatible feature bit 1); "
                    + "qemu-img check -r all repairs it");
        }
        if ((h.incompatibleFeatures() & Qcow2Header.INCOMPATIBLE_EXTERNAL_DATA) != 0) {
            throw new UnsupportedImageException("external data file", "the guest data lives in another file"
                    + h.externalDataFile().map(f -> " ('" + f + "')").orElse(""));
        }
        if (h.compressionType() != Qcow2Header.COMPRESSION_ZLIB && h.compressionType() != Qcow2Header.COMPRESSION_ZSTD) {
            throw new UnsupportedImageException("compression type " + h.compressionType(), "zlib (0) and zstd (1) are read");
        }
        // The dirty bit only says the refcounts may be stale: this reader never reads refcounts.
    }

    private void buildMap(Qcow2Header header, long fileSize, Qcow2ClusterMap map, List<SourceStream.Watched> watched)
            throws IOException {
        int l1Entries = (int) header.l1EntriesNeeded();
        if (l1Entries == 0) {
            return;
        }
        ByteSpan l1Span = new ByteSpan(header.l1TableOffset(), 8 * l1Entries);
        byte[] l1 = readWatched(l1Span, watched);
        ByteBuffer l1Table = ByteBuffer.wrap(l1);
        long[] l2Offsets = new long[l1Entries];
        for (int i = 0; i < l1Entries; i++) {
            l2Offsets[i] = map.l2Offset(i, l1Table.getLong(8 * i));
            if (l2Offsets[i] != 0 && l2Offsets[i] < l1Span.end() && l2Offsets[i] + header.clusterSize() > l1Span.offset()) {
                throw new MalformedImageException("L1 entry " + i + " points at an L2 table at " + l2Offsets[i]
                        + ", inside the L1 table itself");
            }
        }
        int batchTables = Math.max(1, L2_BATCH_BYTES / header.clusterSize());
        java.util.Set<Long> seen = new java.util.HashSet<>();
        int next = 0;
        while (next < l1Entries) {
            int end = next;
            java.util.TreeMap<Long, byte[]> batch = new java.util.TreeMap<>();
            while (end < l1Entries && batch.size() < batchTables) {
                if (l2Offsets[end] != 0) {
                    batch.put(l2Offsets[end], null);
                }
                end++;
            }
            List<ByteSpan> spans = new ArrayList<>();
            for (long offset : batch.keySet()) {
                spans.add(new ByteSpan(offset, header.clusterSize()));
            }
            List<byte[]> tables = source.read(spans);
            for (int i = 0; i < spans.size(); i++) {
                batch.put(spans.get(i).offset(), tables.get(i));
                if (seen.add(spans.get(i).offset())) {
                    watch(watched, spans.get(i), tables.get(i));
                }
            }
            for (int i = next; i < end; i++) {
                if (l2Offsets[i] == 0) {
                    map.unallocatedTable(i);
                } else {
                    map.table(i, batch.get(l2Offsets[i]));
                }
            }
            next = end;
        }
    }

    /** One pass over the stream: each data run as the window passes it. Returns the guest data bytes emitted. */
    private long streamData(Qcow2Header header, Qcow2ClusterMap map, SourceStream stream, int capacity) throws IOException {
        Window window = new Window(stream, capacity);
        ClusterInflater inflater = new ClusterInflater(header);
        long emitted = 0;
        try {
            for (Qcow2ClusterMap.DataRun run : map.dataRunsInFileOrder()) {
                int at = window.take(run.host(), run.hostLength());
                if (run.compressed()) {
                    int guestLength = (int) Math.min(header.clusterSize(), header.virtualSize() - run.guest());
                    ByteBuffer cluster = inflater.inflate(window.bytes(), at, run.hostLength(), run.host());
                    sink.data(run.guest(), cluster.limit(guestLength));
                    emitted += guestLength;
                } else {
                    sink.data(run.guest(), ByteBuffer.wrap(window.bytes(), at, run.hostLength()));
                    emitted += run.hostLength();
                }
            }
        } finally {
            inflater.close();
        }
        return emitted;
    }

    /** A sliding view of the stream that never goes back: bytes before the current run are dropped. */
    private static final class Window {
        private final InputStream in;
        private final byte[] buffer;
        private long start;
        private int length;

        Window(InputStream in, int capacity) {
            this.in = in;
            this.buffer = new byte[capacity];
        }

        byte[] bytes() {
            return buffer;
        }

        /** Makes [offset, offset + n) present; returns where it starts in {@link #bytes()}. */
        int take(long offset, int n) throws IOException {
            if (offset >= start + length) {
                long position = start + length;
                while (position < offset) {
                    int r = in.read(buffer, 0, (int) Math.min(buffer.length, offset - position));
                    if (r < 0) {
                        throw new TruncatedImageException("the stream ended at " + position + ", before host offset " + offset);
                    }
                    position += r;
                }
                start = offset;
                length = 0;
            } else if (offset + n > start + buffer.length) {
                int keep = (int) (start + length - offset);
                System.arraycopy(buffer, (int) (offset - start), buffer, 0, keep);
                start = offset;
                length = keep;
            }
            while (start + length < offset + n) {
                int r = in.read(buffer, length, buffer.length - length);
                if (r < 0) {
                    throw new TruncatedImageException("the stream ended at " + (start + length)
                            + ", inside the data at host offset " + offset);
                }
                length += r;
            }
            return (int) (offset - start);
        }
    }

    /** Compressed clusters: zlib's raw deflate, or zstd frames, each to exactly one cluster. */
    private static final class ClusterInflater {
        private final Qcow2Header header;
        private final byte[] cluster;
        private Inflater zlib;
        private ZstdDecompressCtx zstd;

        ClusterInflater(Qcow2Header header) {
            this.header = header;
            this.cluster = new byte[header.clusterSize()];
        }

        ByteBuffer inflate(byte[] in, int offset, int length, long host) throws MalformedImageException {
            if (header.compressionType() == Qcow2Header.COMPRESSION_ZSTD) {
                return zstd(in, offset, length, host);
            }
            if (zlib == null) {
                zlib = new Inflater(true);
            }
            zlib.reset();
            zlib.setInput(in, offset, length);
            int produced = 0;
            try {
                while (produced < cluster.length) {
                    int n = zlib.inflate(cluster, produced, cluster.length - produced);
                    produced += n;
                    if (n == 0 && (zlib.finished() || zlib.needsInput() || zlib.needsDictionary())) {
                        break;
                    }
                }
            } catch (DataFormatException e) {
                throw new MalformedImageException("the compressed cluster at host offset " + host + " is not deflate data: "
                        + e.getMessage());
            }
            if (produced < cluster.length) {
                throw new MalformedImageException("the compressed cluster at host offset " + host + " inflates to "
                        + produced + " bytes, not a cluster of " + cluster.length);
            }
            return ByteBuffer.wrap(cluster);
        }

        private ByteBuffer zstd(byte[] in, int offset, int length, long host) throws MalformedImageException {
            if (zstd == null) {
                zstd = new ZstdDecompressCtx();
            }
            zstd.reset();
            ByteBuffer src = ByteBuffer.wrap(in, offset, length);
            ByteBuffer dst = ByteBuffer.wrap(cluster);
            try {
                while (dst.hasRemaining()) {
                    int before = src.remaining() + dst.remaining();
                    zstd.decompressByteBufferStream(dst, src);
                    if (src.remaining() + dst.remaining() == before) {
                        break; // no progress: the input ran out
                    }
                }
            } catch (ZstdException e) {
                throw new MalformedImageException("the zstd cluster at host offset " + host + " does not decompress: "
                        + e.getMessage());
            }
            if (dst.hasRemaining()) {
                throw new MalformedImageException("the zstd cluster at host offset " + host + " decompresses to "
                        + dst.position() + " bytes, not a cluster of " + cluster.length);
            }
            return dst.flip();
        }

        void close() {
            if (zlib != null) {
                zlib.end();
            }
            if (zstd != null) {
                zstd.close();
            }
        }
    }
}
