package io.metalboot.appliance.tftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import io.metalboot.appliance.tftp.codec.TftpDecodeException;
import io.metalboot.appliance.tftp.codec.TftpPacketCodec;
import io.metalboot.appliance.tftp.model.Ack;
import io.metalboot.appliance.tftp.model.DataBlock;
import io.metalboot.appliance.tftp.model.ErrorCode;
import io.metalboot.appliance.tftp.model.ErrorPacket;
import io.metalboot.appliance.tftp.model.OptionAck;
import io.metalboot.appliance.tftp.model.ReadRequest;
import io.metalboot.appliance.tftp.model.TftpPacket;
import io.metalboot.appliance.tftp.model.WriteRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TftpPacketCodecTest {
    private static final Map<String, String> OPTIONS = ordered("blksize", "1468", "tsize", "0", "windowsize", "16");

    private static Map<String, String> ordered(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    private static List<TftpPacket> samples() {
        byte[] payload = new byte[512];
        new Random(1).nextBytes(payload);
        return List.of(
                new ReadRequest("snponly.efi", "octet"),
                new ReadRequest("/pxelinux.cfg/01-52-54-00-12-34-56", "netascii", OPTIONS),
                new WriteRequest("upload.bin", "octet", ordered("tsize", "1234")),
                DataBlock.of(1, payload),
                DataBlock.of(65535, new byte[0]),
                new Ack(0),
                new Ack(65535),
                new ErrorPacket(ErrorCode.OPTION_REFUSED, "option refused"),
                new ErrorPacket(42, ""),
                new OptionAck(OPTIONS));
    }

    @Test
    void everyKindRoundTrips() throws TftpDecodeException {
        for (TftpPacket packet : samples()) {
            byte[] bytes = TftpPacketCodec.encode(packet);
            assertEquals(bytes.length, TftpPacketCodec.encodedLength(packet), packet.toString());
            TftpPacket decoded = TftpPacketCodec.decode(bytes);
            assertEquals(packet, decoded);
            assertArrayEquals(bytes, TftpPacketCodec.encode(decoded), packet.toString());
        }
    }

    @Test
    void dataEncodedStraightFromAFileIsTheSameAsTheRecords() throws TftpDecodeException {
        byte[] file = new byte[5000];
        new Random(20).nextBytes(file);
        ByteBuf fileBytes = Unpooled.wrappedBuffer(file);
        // A middle block, the short last one, an empty one past the end, and a wrapped block number.
        int[][] cases = {{1, 0, 1468}, {2, 1468, 1468}, {4, 4404, 596}, {5, 5000, 0}, {0, 512, 512}, {65535, 100, 7}};
        for (int[] c : cases) {
            ByteBuf out = Unpooled.buffer();
            TftpPacketCodec.encodeData(c[0], fileBytes, c[1], c[2], out);
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            DataBlock expected = DataBlock.of(c[0], Arrays.copyOfRange(file, c[1], c[1] + c[2]));
            assertArrayEquals(TftpPacketCodec.encode(expected), bytes, "block " + c[0]);
            assertEquals(expected, TftpPacketCodec.decode(bytes));
        }
        assertEquals(0, fileBytes.readerIndex(), "the file's indices do not move");
    }

    @Test
    void dataEncodedIntoANioBufferIsTheSameAsTheRecords() throws TftpDecodeException {
        byte[] file = new byte[5000];
        new Random(21).nextBytes(file);
        // A file view that does not start at 0, as a cached file's may not; its indices must not move.
        ByteBuffer fileBytes = ByteBuffer.wrap(file).position(100).slice().position(3);
        int[][] cases = {{1, 0, 1468}, {2, 1468, 1468}, {4, 4404, 493}, {5, 4897, 0}, {0, 512, 512}, {65535, 100, 7}};
        ByteBuffer out = ByteBuffer.allocateDirect(TftpPacketCodec.DATA_HEADER + 1468);
        for (int[] c : cases) {
            out.clear();
            TftpPacketCodec.encodeData(c[0], fileBytes, 3 + c[1], c[2], out);
            out.flip();
            byte[] bytes = new byte[out.remaining()];
            out.get(bytes);
            DataBlock expected = DataBlock.of(c[0], Arrays.copyOfRange(file, 103 + c[1], 103 + c[1] + c[2]));
            assertArrayEquals(TftpPacketCodec.encode(expected), bytes, "block " + c[0]);
        }
        assertEquals(3, fileBytes.position(), "the file's indices do not move");
        assertEquals(4900, fileBytes.limit());
    }

    @Test
    void ackBlockReadsAnAckAndNothingElse() throws TftpDecodeException {
        for (int block : new int[] {0, 1, 32768, 65535}) {
            ByteBuffer ack = ByteBuffer.wrap(TftpPacketCodec.encode(new Ack(block)));
            assertEquals(block, TftpPacketCodec.ackBlock(ack));
            assertEquals(0, ack.position(), "a peek: the datagram is still there for decode");
            assertEquals(new Ack(block), TftpPacketCodec.decode(ack));
            assertEquals(ack.limit(), ack.position());
        }
        // Padded after the block number: still an ACK, as decode reads it.
        assertEquals(7, TftpPacketCodec.ackBlock(ByteBuffer.wrap(new byte[] {0, 4, 0, 7, 0, 0})));
        for (byte[] other : List.of(new byte[] {0, 4, 0}, new byte[] {0, 3, 0, 1}, new byte[] {4, 0, 0, 1},
                TftpPacketCodec.encode(new ErrorPacket(0, "x")), new byte[0])) {
            assertEquals(-1, TftpPacketCodec.ackBlock(ByteBuffer.wrap(other)), Arrays.toString(other));
        }
    }

    @Test
    void readRequestBytesAreAsRfc1350Draws() throws TftpDecodeException {
        byte[] wire = "\0\1boot.ipxe\0OCTET\0BlkSize\0001468\0tsize\0000\0".getBytes(StandardCharsets.ISO_8859_1);
        ReadRequest rrq = (ReadRequest) TftpPacketCodec.decode(wire);
        assertEquals("boot.ipxe", rrq.filename());
        assertEquals("OCTET", rrq.mode());
        assertEquals(List.of("BlkSize", "tsize"), List.copyOf(rrq.options().keySet()), "client order and spelling");
        assertArrayEquals(wire, TftpPacketCodec.encode(rrq));
    }

    @Test
    void firstOfDuplicateOptionsWinsAndTrailingPaddingIsTolerated() throws TftpDecodeException {
        byte[] wire = "\0\1f\0octet\0blksize\0001024\0BLKSIZE\08\0\0\0\0".getBytes(StandardCharsets.ISO_8859_1);
        ReadRequest rrq = (ReadRequest) TftpPacketCodec.decode(wire);
        assertEquals(Map.of("blksize", "1024"), rrq.options());
    }

    @Test
    void everyByteValueSurvivesInANameAndIsNotInterpreted() throws TftpDecodeException {
        StringBuilder name = new StringBuilder();
        for (int b = 1; b < 256; b++) {
            name.append((char) b);
        }
        ReadRequest rrq = new ReadRequest(name.toString(), "octet");
        assertEquals(rrq, TftpPacketCodec.decode(TftpPacketCodec.encode(rrq)));
    }

    @Test
    void malformedDatagramsThrowTheTypedExceptionOnly() {
        List<String> malformed = List.of(
                "", "\0", "\0\0", "\0\7", "\1\1", "\0\1", "\0\1file", "\0\1file\0", "\0\1file\0octet",
                "\0\1file\0octet\0blksize", "\0\1file\0octet\0blksize\0", "\0\1file\0octet\0\0x\0",
                "\0\2file\0octet", "\0\3", "\0\3\1", "\0\4", "\0\4\0", "\0\5", "\0\5\0", "\0\6opt\0");
        for (String text : malformed) {
            byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
            assertThrows(TftpDecodeException.class, () -> TftpPacketCodec.decode(bytes), () -> describe(bytes));
        }
    }

    @Test
    void errorWithoutFinalNulIsStillReadAndPaddedAckIsAnAck() throws TftpDecodeException {
        assertEquals(new ErrorPacket(8, "no"), TftpPacketCodec.decode("\0\5\0\10no".getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(new Ack(7), TftpPacketCodec.decode(new byte[] {0, 4, 0, 7, 0, 0, 0}));
    }

    /** Flip, cut and extend encoded packets: each mutant decodes to a packet or throws the typed exception. */
    @Test
    void mutantsDecodeOrThrowOnlyTheTypedException() {
        Random random = new Random(20261125L);
        int decoded = 0;
        int rejected = 0;
        for (TftpPacket sample : samples()) {
            byte[] original = TftpPacketCodec.encode(sample);
            for (int round = 0; round < 2000; round++) {
                byte[] mutant = mutate(original, random);
                try {
                    TftpPacket packet = TftpPacketCodec.decode(mutant);
                    // Whatever decodes must encode again and decode to the same packet.
                    assertEquals(packet, TftpPacketCodec.decode(TftpPacketCodec.encode(packet)), describe(mutant));
                    decoded++;
                } catch (TftpDecodeException e) {
                    rejected++;
                } catch (RuntimeException e) {
                    fail("untyped " + e + " for " + describe(mutant), e);
                }
            }
        }
        assertEquals(20000, decoded + rejected);
    }

    private static byte[] mutate(byte[] original, Random random) {
        byte[] bytes = original.clone();
        switch (random.nextInt(4)) {
            case 0 -> {
                if (bytes.length > 0) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
            }
            case 1 -> bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
            case 2 -> {
                bytes = java.util.Arrays.copyOf(bytes, bytes.length + 1 + random.nextInt(8));
                for (int i = original.length; i < bytes.length; i++) {
                    bytes[i] = (byte) (random.nextBoolean() ? 0 : random.nextInt(256));
                }
            }
            default -> {
                for (int i = 0; i < 3 && bytes.length > 0; i++) {
                    bytes[random.nextInt(bytes.length)] = 0;
                }
            }
        }
        return bytes;
    }

    private static String describe(byte[] bytes) {
        StringBuilder hex = new StringBuilder();
        for (byte b : bytes) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }
}
