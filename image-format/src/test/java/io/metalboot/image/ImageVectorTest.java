package io.metalboot.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.image.source.FileImageSource;
import io.metalboot.image.source.HttpImageSource;
import io.metalboot.image.source.ImageSource;
import io.metalboot.image.testing.Commands;
import io.metalboot.image.testing.DiskImageSink;
import io.metalboot.image.testing.NginxServer;
import io.metalboot.image.testing.RequiredTools;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every format the readers claim, made here by the reference tools (qemu-img, qemu-io, gzip, xz,
 * zstd), read from a file and from nginx, laid out as raw and compared byte for byte with
 * {@code qemu-img convert -O raw} of the same source (for compressed raw: with the original).
 */
class ImageVectorTest {
    private static final long BASE_SIZE = 8L * 1024 * 1024;

    @TempDir
    static Path dir;
    private static NginxServer nginx;
    /** vector file → the raw file it must read as. */
    private static final Map<String, String> VECTORS = new LinkedHashMap<>();

    @BeforeAll
    static void makeVectors() throws Exception {
        RequiredTools.require(RequiredTools.program("qemu-img", "qemu-utils"));
        RequiredTools.require(RequiredTools.program("qemu-io", "qemu-utils"));
        RequiredTools.require(RequiredTools.program("zstd", "zstd"));
        RequiredTools.require(RequiredTools.program("xz", "xz-utils"));
        RequiredTools.require(NginxServer.unavailable());
        Path vectors = Files.createDirectories(dir.resolve("vectors"));
        writeBase(vectors.resolve("base.raw"), BASE_SIZE);
        writeBase(vectors.resolve("odd.raw"), 1_000_003);
        String q = "qemu-img convert -f raw -O qcow2 ";
        String io = "qemu-io -f qcow2 ";
        Commands.shell(vectors, String.join(" && ",
                q + "-o compat=0.10 base.raw v2.qcow2",
                q + "-o compat=1.1 base.raw v3.qcow2",
                q + "-c -o compat=0.10 base.raw v2-zlib.qcow2",
                q + "-c -o compat=1.1 base.raw v3-zlib.qcow2",
                q + "-c -o compat=1.1,compression_type=zstd base.raw v3-zstd.qcow2",
                q + "-c -o compat=1.1,compression_type=zstd,cluster_size=2M base.raw zstd-2m.qcow2",
                q + "-o cluster_size=512 base.raw c512.qcow2",
                q + "-o cluster_size=4k base.raw c4k.qcow2",
                q + "-o cluster_size=64k base.raw c64k.qcow2",
                q + "-o cluster_size=2M base.raw c2m.qcow2",
                q + "-o refcount_bits=1 base.raw refcount1.qcow2",
                q + "-o extended_l2=on,cluster_size=64k base.raw ext-l2.qcow2",
                // subclusters: 2 KiB of a 64 KiB cluster written, zeroed, or left unallocated
                "qemu-img create -q -f qcow2 -o extended_l2=on,cluster_size=64k subclusters.qcow2 4M",
                io + "-c 'write -P 0xab 4k 4k' -c 'write -P 0xcd 70k 2k' -c 'write -P 0x11 1M 100k'"
                        + " -c 'write -z 1040k 8k' -c 'write -P 0x22 3M 2k' subclusters.qcow2",
                // zero clusters: allocated data overwritten with the zero flag, and zero flags on holes
                "cp v3.qcow2 zero-clusters.qcow2",
                io + "-c 'write -z 0 128k' -c 'write -z 1M 512k' -c 'write -z 6M 64k' zero-clusters.qcow2",
                // an odd virtual size: neither a cluster nor a MiB multiple, data in its last sector
                "qemu-img create -q -f qcow2 odd-size.qcow2 5244416",
                io + "-c 'write -P 0x5a 0 3000' -c 'write -P 0x6b 5243904 512' odd-size.qcow2",
                q + "-c odd.raw odd-zlib.qcow2",
                "gzip -c base.raw > base.raw.gz",
                "xz -T1 -c base.raw > base.raw.xz",
                "zstd -q -c base.raw > base.raw.zst",
                "gzip -c odd.raw > odd.raw.gz",
                // a backing file, which must be refused
                "qemu-img create -q -f qcow2 -b v3.qcow2 -F qcow2 overlay.qcow2"));
        for (String v : new String[] {"v2", "v3", "v2-zlib", "v3-zlib", "v3-zstd", "zstd-2m", "c512", "c4k", "c64k",
                "c2m", "refcount1", "ext-l2", "subclusters", "zero-clusters", "odd-size", "odd-zlib"}) {
            Commands.run(vectors, "qemu-img", "convert", "-f", "qcow2", "-O", "raw", v + ".qcow2", v + ".expected");
            VECTORS.put(v + ".qcow2", v + ".expected");
        }
        VECTORS.put("base.raw", "base.raw");
        VECTORS.put("odd.raw", "odd.raw");
        VECTORS.put("base.raw.gz", "base.raw");
        VECTORS.put("base.raw.xz", "base.raw");
        VECTORS.put("base.raw.zst", "base.raw");
        VECTORS.put("odd.raw.gz", "odd.raw");
        nginx = NginxServer.serve(vectors, dir.resolve("nginx"), "");
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.close();
        }
    }

    /** Random data in some places (one unaligned, one at the very end), a byte pattern, zeros elsewhere. */
    private static void writeBase(Path path, long size) throws IOException {
        Random random = new Random(13);
        try (FileChannel out = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long[][] regions = {{0, 65536}, {1 << 20, 300_000}, {3 * (1 << 20) + 512, 4096}, {5 << 20, 1 << 20},
                {size - 100_000, 100_000}};
            for (long[] r : regions) {
                if (r[0] + r[1] > size) {
                    continue;
                }
                byte[] bytes = new byte[(int) r[1]];
                random.nextBytes(bytes);
                if (r[0] == 5 << 20) {
                    java.util.Arrays.fill(bytes, (byte) 0xff);
                }
                out.write(ByteBuffer.wrap(bytes), r[0]);
            }
            out.truncate(size);
            if (out.size() < size) {
                out.write(ByteBuffer.allocate(1), size - 1);
            }
        }
    }

    static Stream<Arguments> vectors() {
        return VECTORS.entrySet().stream().flatMap(e -> Stream.of(
                Arguments.of(e.getKey(), e.getValue(), "file"), Arguments.of(e.getKey(), e.getValue(), "nginx")));
    }

    @ParameterizedTest(name = "{0} from {2}")
    @MethodSource("vectors")
    void readsAsQemuImgConvertsIt(String vector, String expected, String from) throws Exception {
        Path vectors = dir.resolve("vectors");
        ImageChecksum checksum = new ImageChecksum(ChecksumAlgorithm.SHA256,
                Commands.run(vectors, "sha256sum", vector).substring(0, 64));
        Path out = dir.resolve(vector + "." + from + ".out");
        ImageReadResult result;
        try (ImageSource source = source(vector, from); DiskImageSink sink = new DiskImageSink(out)) {
            result = ImageReader.read(source, Optional.empty(), Optional.of(checksum), sink);
            sink.finish(result.virtualSize());
        }
        assertEquals(Files.size(vectors.resolve(vector)), result.sourceBytes(), "source bytes");
        assertEquals(checksum, result.sourceChecksum());
        assertEquals(result.virtualSize(), result.dataBytes() + result.zeroBytes(), "data + zeros = disk");
        assertEquals(-1L, Files.mismatch(vectors.resolve(expected), out), vector + " differs from " + expected);
        if (result.format() != ImageFormat.QCOW2) {
            // a stream's zeros are found, not materialised: every all-zero 4 KiB block is a zero extent
            assertEquals(zeroBlockBytes(vectors.resolve(expected)), result.zeroBytes(), "zero bytes of " + vector);
        } else {
            // a qcow2's zeros are its zero and unallocated (sub)clusters: what qemu-img map calls data: false
            assertEquals(qemuImgMapZeroBytes(vector), result.zeroBytes(), "zero bytes of " + vector);
        }
        Files.delete(out);
    }

    private static long qemuImgMapZeroBytes(String vector) throws Exception {
        String map = Commands.run(dir.resolve("vectors"), "qemu-img", "map", "--output=json", vector);
        long total = 0;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"length\": (\\d+)[^}]*\"data\": false").matcher(map);
        while (m.find()) {
            total += Long.parseLong(m.group(1));
        }
        return total;
    }

    private static long zeroBlockBytes(Path raw) throws IOException {
        byte[] bytes = Files.readAllBytes(raw);
        byte[] zeros = new byte[4096];
        long total = 0;
        for (int at = 0; at < bytes.length; at += 4096) {
            int n = Math.min(4096, bytes.length - at);
            if (java.util.Arrays.mismatch(bytes, at, at + n, zeros, 0, n) < 0) {
                total += n;
            }
        }
        return total;
    }

    @Test
    void aServerThatIgnoresRangeStillServesAQcow2() throws Exception {
        try (NginxServer noRanges = NginxServer.serve(dir.resolve("vectors"), dir.resolve("nginx-no-ranges"), "max_ranges 0;");
                ImageSource source = new HttpImageSource(noRanges.uri("c4k.qcow2"));
                DiskImageSink sink = new DiskImageSink(dir.resolve("no-ranges.out"))) {
            ImageReadResult result = ImageReader.read(source, Optional.empty(), Optional.empty(), sink);
            sink.finish(result.virtualSize());
            assertEquals(-1L, Files.mismatch(dir.resolve("vectors/c4k.expected"), dir.resolve("no-ranges.out")));
            assertTrue(noRanges.accessLog().stream().allMatch(line -> line.contains("\" 200 ")),
                    "nginx answered every request whole: " + noRanges.accessLog());
        }
    }

    @Test
    void aServerThatRefusesHeadStillServesAQcow2() throws Exception {
        // as a presigned object-store URL does: valid for GET only
        try (NginxServer getOnly = NginxServer.serve(dir.resolve("vectors"), dir.resolve("nginx-get-only"),
                "if ($request_method = HEAD) { return 403; }");
                ImageSource source = new HttpImageSource(getOnly.uri("v3-zstd.qcow2"));
                DiskImageSink sink = new DiskImageSink(dir.resolve("get-only.out"))) {
            ImageReadResult result = ImageReader.read(source, Optional.empty(), Optional.empty(), sink);
            sink.finish(result.virtualSize());
            assertEquals(-1L, Files.mismatch(dir.resolve("vectors/v3-zstd.expected"), dir.resolve("get-only.out")));
            assertTrue(getOnly.accessLog().stream().anyMatch(line -> line.contains("\"HEAD ") && line.contains("\" 403 ")),
                    "nginx refused the HEAD: " + getOnly.accessLog());
        }
    }

    @Test
    void aFileReplacedBetweenItsMetadataAndItsStreamIsRefused() throws Exception {
        Path vectors = dir.resolve("vectors");
        byte[] original = Files.readAllBytes(vectors.resolve("c64k.qcow2"));
        io.metalboot.image.qcow2.Qcow2Header h = io.metalboot.image.qcow2.Qcow2HeaderCodec.decode(original, 65536,
                original.length);
        ByteBuffer b = ByteBuffer.wrap(original.clone());
        long l2 = b.getLong((int) h.l1TableOffset()) & 0x00fffffffffffe00L;
        b.putLong((int) l2, b.getLong((int) l2 + 8)); // guest cluster 0 now maps cluster 1's data
        Path replaced = vectors.resolve("replaced.qcow2");
        Files.write(replaced, b.array());
        ImageSource swapped = new ImageSource() {
            final ImageSource before = new FileImageSource(vectors.resolve("c64k.qcow2"));
            final ImageSource after = new FileImageSource(replaced);

            public String describe() {
                return "a file replaced while it was read";
            }

            public long size() throws IOException {
                return before.size();
            }

            public java.util.List<byte[]> read(java.util.List<io.metalboot.image.source.ByteSpan> spans) throws IOException {
                return before.read(spans);
            }

            public java.io.InputStream openStream() throws IOException {
                return after.openStream();
            }
        };
        MalformedImageException e = assertThrows(MalformedImageException.class,
                () -> ImageReader.read(swapped, Optional.of(ImageFormat.QCOW2), Optional.empty(), ExtentSink.discarding()));
        assertTrue(e.getMessage().contains("changed while it was read"), e.getMessage());
    }

    private static ImageSource source(String vector, String from) throws IOException {
        return from.equals("file") ? new FileImageSource(dir.resolve("vectors").resolve(vector))
                : new HttpImageSource(nginx.uri(vector));
    }

    @Test
    void aBackingFileIsRefusedByName() throws Exception {
        for (String from : new String[] {"file", "nginx"}) {
            try (ImageSource source = source("overlay.qcow2", from)) {
                UnsupportedImageException e = assertThrows(UnsupportedImageException.class,
                        () -> ImageReader.read(source, Optional.empty(), Optional.empty(), failingSink()));
                assertEquals("backing file", e.feature());
                assertTrue(e.getMessage().contains("v3.qcow2"), e.getMessage());
            }
        }
    }

    @Test
    void aWrongChecksumIsRefusedAfterTheLastByte() throws Exception {
        for (String vector : new String[] {"v3-zlib.qcow2", "base.raw.zst"}) {
            ImageChecksum wrong = new ImageChecksum(ChecksumAlgorithm.SHA512, "0".repeat(128));
            try (ImageSource source = source(vector, "nginx")) {
                ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class,
                        () -> ImageReader.read(source, Optional.empty(), Optional.of(wrong), ExtentSink.discarding()));
                String sha512 = Commands.run(dir.resolve("vectors"), "sha512sum", vector).substring(0, 128);
                assertEquals(sha512, e.actual().hex(), "the digest of the bytes as served");
            }
        }
    }

    @Test
    void aDeclaredFormatTheBytesContradictIsRefused() throws Exception {
        try (ImageSource source = source("v3.qcow2", "file")) {
            MalformedImageException e = assertThrows(MalformedImageException.class,
                    () -> ImageReader.read(source, Optional.of(ImageFormat.RAW), Optional.empty(), failingSink()));
            assertTrue(e.getMessage().contains("declared raw but starts like qcow2"), e.getMessage());
        }
    }

    @Test
    void aCutDownloadIsNeverASuccess() throws Exception {
        Path vectors = dir.resolve("vectors");
        for (String vector : new String[] {"v3.qcow2", "base.raw.gz", "base.raw.zst", "base.raw.xz"}) {
            byte[] whole = Files.readAllBytes(vectors.resolve(vector));
            byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 70_000);
            Path cutFile = vectors.resolve("cut-" + vector);
            Files.write(cutFile, cut);
            try (ImageSource source = new FileImageSource(cutFile)) {
                assertThrows(ImageException.class,
                        () -> ImageReader.read(source, Optional.empty(), Optional.empty(), ExtentSink.discarding()),
                        vector + " cut short");
            }
        }
    }

    private static ExtentSink failingSink() {
        return new ExtentSink() {
            public void data(long guestOffset, ByteBuffer bytes) {
                throw new AssertionError("a refused image wrote data at " + guestOffset);
            }

            public void zeros(long guestOffset, long length) {
                throw new AssertionError("a refused image wrote zeros at " + guestOffset);
            }
        };
    }
}
