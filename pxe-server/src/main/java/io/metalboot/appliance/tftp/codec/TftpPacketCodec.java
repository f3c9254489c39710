package io.metalboot.appliance.tftp.codec;

import io.metalboot.appliance.tftp.model.Ack;
import io.metalboot.appliance.tftp.model.DataBlock;
import io.metalboot.appliance.tftp.model.ErrorPacket;
import io.metalboot.appliance.tftp.model.Opcode;
import io.metalboot.appliance.tftp.model.OptionAck;
import io.metalboot.appliance.tftp.model.ReadRequest;
import io.metalboot.appliance.tftp.model.TftpPacket;
import io.metalboot.appliance.tftp.model.WriteRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TFTP packets ⇄ bytes (RFC 1350, 2347). Strings are read as ISO-8859-1 so that every byte maps
 * to exactly one character and back: what a name means is the root's business, not the codec's.
 */
public final class TftpPacketCodec {
    private TftpPacketCodec() {
    }

    /** Reads one whole datagram's content (the reader index moves to its end). */
    public static TftpPacket decode(ByteBuf in) throws TftpDecodeException {
        if (in.readableBytes() < 2) {
            throw new TftpDecodeException("datagram of " + in.readableBytes() + " bytes: shorter than an opcode");
        }
        int code = in.readUnsignedShort();
        Opcode opcode = Opcode.of(code);
        if (opcode == null) {
            throw new TftpDecodeException("unknown opcode " + code);
        }
        TftpPacket packet = switch (opcode) {
            case RRQ -> {
                String filename = readString(in, "filename");
                String mode = readString(in, "mode");
                yield new ReadRequest(filename, mode, readOptions(in));
            }
            case WRQ -> {
                String filename = readString(in, "filename");
                String mode = readString(in, "mode");
                yield new WriteRequest(filename, mode, readOptions(in));
            }
            case DATA -> {
                int block = readBlock(in, "DATA");
                byte[] payload = new byte[in.readableBytes()];
                in.readBytes(payload);
                yield new DataBlock(block, ByteBuffer.wrap(payload));
            }
            // Bytes after an ACK's block number are ignored, as tftpd-hpa does: a padded ACK is
            // still an ACK.
            case ACK -> new Ack(readBlock(in, "ACK"));
            case ERROR -> {
                int errorCode = readBlock(in, "ERROR");
                // Some clients omit the message's final NUL; the message is informational only.
                String message = in.bytesBefore((byte) 0) < 0 ? readRest(in) : readString(in, "error message");
                yield new ErrorPacket(errorCode, message);
            }
            case OACK -> new OptionAck(readOptions(in));
        };
        in.skipBytes(in.readableBytes());
        return packet;
    }

    /** Decodes a whole byte array (tests, tools). */
    public static TftpPacket decode(byte[] datagram) throws TftpDecodeException {
        return decode(Unpooled.wrappedBuffer(datagram));
    }

    public static void encode(TftpPacket packet, ByteBuf out) {
        out.writeShort(packet.opcode().code());
        switch (packet) {
            case ReadRequest rrq -> {
                writeString(out, rrq.filename());
                writeString(out, rrq.mode());
                writeOptions(out, rrq.options());
            }
            case WriteRequest wrq -> {
                writeString(out, wrq.filename());
                writeString(out, wrq.mode());
                writeOptions(out, wrq.options());
            }
            case DataBlock data -> {
                out.writeShort(data.block());
                out.writeBytes(data.payload().duplicate());
            }
            case Ack ack -> out.writeShort(ack.block());
            case ErrorPacket error -> {
                out.writeShort(error.code());
                writeString(out, error.message());
            }
            case OptionAck oack -> writeOptions(out, oack.options());
        }
    }

    /** Opcode and block number: what a DATA datagram carries before its payload. */
    public static final int DATA_HEADER = 4;

    /**
     * One DATA packet straight from a file's bytes: {@code length} bytes of {@code file} from
     * {@code offset} after the header, the same bytes {@link #encode} writes for a {@link DataBlock}.
     * The transfer's per-block path: no record, no view object, one memory copy; {@code file}'s
     * indices do not move.
     */
    public static void encodeData(int block, ByteBuf file, int offset, int length, ByteBuf out) {
        out.writeShort(Opcode.DATA.code());
        out.writeShort(block);
        out.writeBytes(file, offset, length);
    }

    /**
     * {@link #encodeData} into a NIO buffer: {@code out} gets the header and the block at its
     * position (which moves past them); {@code file}'s position and limit do not move.
     */
    public static void encodeData(int block, ByteBuffer file, int offset, int length, ByteBuffer out) {
        out.putShort((short) Opcode.DATA.code());
        out.putShort((short) block);
        out.put(out.position(), file, offset, length);
        out.position(out.position() + length);
    }

    /**
     * The block number of {@code datagram} (position to limit) if it is an ACK, else -1: a
     * transfer's per-block read, with no record made. Anything else goes through {@link #decode}.
     * Bytes after the block number are ignored, as {@link #decode} does.
     */
    public static int ackBlock(ByteBuffer datagram) {
        int at = datagram.position();
        if (datagram.limit() - at < 4 || datagram.getShort(at) != Opcode.ACK.code()) {
            return -1;
        }
        return Short.toUnsignedInt(datagram.getShort(at + 2));
    }

    /** Decodes a whole NIO buffer, position to limit (the position moves to the limit). */
    public static TftpPacket decode(ByteBuffer datagram) throws TftpDecodeException {
        TftpPacket packet = decode(Unpooled.wrappedBuffer(datagram));
        datagram.position(datagram.limit());
        return packet;
    }

    /** Encodes into a new array (tests, tools). */
    public static byte[] encode(TftpPacket packet) {
        ByteBuf out = Unpooled.buffer();
        encode(packet, out);
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        return bytes;
    }

    /** Exactly the encoded size, for sizing a buffer before encoding. */
    public static int encodedLength(TftpPacket packet) {
        return 2 + switch (packet) {
            case ReadRequest rrq -> rrq.filename().length() + rrq.mode().length() + 2 + optionsLength(rrq.options());
            case WriteRequest wrq -> wrq.filename().length() + wrq.mode().length() + 2 + optionsLength(wrq.options());
            case DataBlock data -> 2 + data.length();
            case Ack ack -> 2;
            case ErrorPacket error -> 2 + error.message().length() + 1;
            case OptionAck oack -> optionsLength(oack.options());
        };
    }

    private static int optionsLength(Map<String, String> options) {
        int length = 0;
        for (Map.Entry<String, String> option : options.entrySet()) {
            length += option.getKey().length() + option.getValue().length() + 2;
        }
        return length;
    }

    private static int readBlock(ByteBuf in, String what) throws TftpDecodeException {
        if (in.readableBytes() < 2) {
            throw new TftpDecodeException(what + " packet without its 16-bit number");
        }
        return in.readUnsignedShort();
    }

    private static String readString(ByteBuf in, String what) throws TftpDecodeException {
        int length = in.bytesBefore((byte) 0);
        if (length < 0) {
            throw new TftpDecodeException(what + " is not NUL-terminated");
        }
        String value = in.toString(in.readerIndex(), length, StandardCharsets.ISO_8859_1);
        in.skipBytes(length + 1);
        return value;
    }

    private static String readRest(ByteBuf in) {
        String value = in.toString(StandardCharsets.ISO_8859_1);
        in.skipBytes(in.readableBytes());
        return value;
    }

    /**
     * name NUL value NUL pairs to the end. A first duplicate wins (names compare without case,
     * RFC 2347). Trailing NUL padding is tolerated: some PXE ROMs pad their requests.
     */
    private static Map<String, String> readOptions(ByteBuf in) throws TftpDecodeException {
        Map<String, String> options = new LinkedHashMap<>();
        while (in.isReadable()) {
            String name = readString(in, "option name");
            if (name.isEmpty()) {
                if (in.forEachByte(b -> b == 0) >= 0) {
                    throw new TftpDecodeException("empty option name");
                }
                in.skipBytes(in.readableBytes());
                break;
            }
            String value = readString(in, "value of option " + name);
            if (options.keySet().stream().noneMatch(name::equalsIgnoreCase)) {
                options.put(name, value);
            }
        }
        return options;
    }

    private static void writeString(ByteBuf out, String value) {
        out.writeCharSequence(value, StandardCharsets.ISO_8859_1);
        out.writeByte(0);
    }

    private static void writeOptions(ByteBuf out, Map<String, String> options) {
        for (Map.Entry<String, String> option : options.entrySet()) {
            writeString(out, option.getKey());
            writeString(out, option.getValue());
        }
    }
}
