package io.metalboot.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.image.qcow2.Qcow2Header;
import io.metalboot.image.qcow2.Qcow2HeaderCodec;
import io.metalboot.image.testing.ByteArrayImageSource;
import io.metalboot.image.testing.Commands;
import io.metalboot.image.testing.RequiredTools;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the reader does not understand is refused, by name, before the sink sees a byte:
 * images qemu-img makes with the feature (encryption, an external data file), and qemu-img
 * images edited where the spec says a reader must refuse (an unknown incompatible bit, sizes
 * and offsets that contradict each other, L1/L2 entries outside the file).
 */
class Qcow2RefusalTest {
    @TempDir
    static Path dir;
    private static byte[] plain;
    private static Qcow2Header header;

    @BeforeAll
    static void make() throws Exception {
        RequiredTools.require(RequiredTools.program("qemu-img", "qemu-utils"));
        RequiredTools.require(RequiredTools.program("qemu-io", "qemu-utils"));
        Commands.shell(dir, "qemu-img create -q -f qcow2 plain.qcow2 4M"
                + " && qemu-io -f qcow2 -c 'write -P 0x42 0 128k' -c 'write -P 0x43 3M 64k' plain.qcow2");
        plain = Files.readAllBytes(dir.resolve("plain.qcow2"));
        header = Qcow2HeaderCodec.decode(plain, 65536, plain.length);
    }

    private static UnsupportedImageException unsupported(byte[] image) {
        return assertThrows(UnsupportedImageException.class, () -> read(image));
    }

    private static MalformedImageException malformed(byte[] image) {
        return assertThrows(MalformedImageException.class, () -> read(image));
    }

    private static void read(byte[] image) throws Exception {
        ImageReader.read(new ByteArrayImageSource(image), Optional.empty(), Optional.empty(), new ExtentSink() {
            public void data(long guestOffset, ByteBuffer bytes) {
                throw new AssertionError("a refused image wrote data at " + guestOffset);
            }

            public void zeros(long guestOffset, long length) {
                throw new AssertionError("a refused image wrote zeros at " + guestOffset);
            }
        });
    }

    private static byte[] edited(Consumer<ByteBuffer> edit) {
        byte[] copy = plain.clone();
        edit.accept(ByteBuffer.wrap(copy));
        return copy;
    }

    @Test
    void theUneditedImageReads() throws Exception {
        ImageReadResult r = ImageReader.read(new ByteArrayImageSource(plain), Optional.empty(), Optional.empty(),
                ExtentSink.discarding());
        assertEquals(4 << 20, r.virtualSize());
        assertEquals(192 * 1024, r.dataBytes());
    }

    @Test
    void encryption() throws Exception {
        Commands.shell(dir, "qemu-img create -q -f qcow2 --object secret,id=s0,data=swordfish"
                + " -o encrypt.format=luks,encrypt.key-secret=s0 luks.qcow2 1M");
        UnsupportedImageException luks = unsupported(Files.readAllBytes(dir.resolve("luks.qcow2")));
        assertEquals("encryption", luks.feature());
        assertTrue(luks.getMessage().contains("LUKS"), luks.getMessage());
        UnsupportedImageException aes = unsupported(edited(b -> b.putInt(32, 1)));
        assertTrue(aes.getMessage().contains("AES"), aes.getMessage());
    }

    @Test
    void anExternalDataFile() throws Exception {
        Commands.shell(dir, "qemu-img create -q -f qcow2 -o data_file=data.raw external.qcow2 1M");
        UnsupportedImageException e = unsupported(Files.readAllBytes(dir.resolve("external.qcow2")));
        assertEquals("external data file", e.feature());
        assertTrue(e.getMessage().contains("data.raw"), e.getMessage());
    }

    @Test
    void anUnknownIncompatibleFeatureBit() {
        UnsupportedImageException e = unsupported(edited(b -> b.putLong(72, b.getLong(72) | 1L << 40)));
        assertEquals("incompatible feature bit 40", e.feature());
        // the corrupt bit is known, and means what it says
        assertTrue(malformed(edited(b -> b.putLong(72, b.getLong(72) | 2))).getMessage().contains("marked corrupt"));
    }

    @Test
    void aVersionItDoesNotKnow() {
        assertEquals("qcow2 version 4", unsupported(edited(b -> b.putInt(4, 4))).feature());
    }

    @Test
    void headersThatContradictThemselves() {
        assertTrue(malformed(edited(b -> b.putInt(100, 106))).getMessage().contains("header_length"));
        assertTrue(malformed(edited(b -> b.putInt(20, 22))).getMessage().contains("cluster_bits 22"));
        // a virtual size the L1 table cannot map
        assertTrue(malformed(edited(b -> b.putLong(24, 1L << 40))).getMessage().contains("less than the virtual size"));
        // the compression type bit without a compression type
        assertTrue(malformed(edited(b -> b.putLong(72, b.getLong(72) | 8))).getMessage().contains("compression type"));
        // an L1 table past the end of the file
        assertTrue(malformed(edited(b -> b.putLong(40, (long) plain.length + 65536 & ~65535L))).getMessage()
                .contains("L1 table"));
    }

    @Test
    void tableEntriesThatPointOutsideTheFile() {
        int l1 = (int) header.l1TableOffset();
        long l2 = ByteBuffer.wrap(plain).getLong(l1) & 0x00fffffffffffe00L;
        assertTrue(malformed(edited(b -> b.putLong(l1, 1L << 63 | 1L << 40))).getMessage().contains("outside the file"));
        assertTrue(malformed(edited(b -> b.putLong((int) l2, 1L << 63 | 1L << 40))).getMessage().contains("outside the file"));
        assertTrue(malformed(edited(b -> b.putLong((int) l2, b.getLong((int) l2) + 512))).getMessage()
                .contains("not cluster-aligned"));
        assertTrue(malformed(edited(b -> b.putLong(l1, b.getLong(l1) | 1L << 58))).getMessage().contains("reserved bits"));
    }
}
