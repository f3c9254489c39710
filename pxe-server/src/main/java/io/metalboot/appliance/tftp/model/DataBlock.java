package io.metalboot.appliance.tftp.model;

import java.nio.ByteBuffer;

/**
 * DATA: a 16-bit block number and its payload. The payload is a read-only view (often a slice of
 * a file shared by every transfer of it), so the record stays immutable without copying the
 * bytes; equality compares the remaining bytes.
 */
public record DataBlock(int block, ByteBuffer payload) implements TftpPacket {
    public DataBlock {
        Ack.requireBlockNumber(block);
        if (payload == null) {
            throw new IllegalArgumentException("payload must not be null");
        }
        payload = payload.asReadOnlyBuffer();
    }

    public static DataBlock of(int block, byte[] payload) {
        return new DataBlock(block, ByteBuffer.wrap(payload.clone()));
    }

    /** The payload's bytes, as a new array. */
    public byte[] bytes() {
        byte[] copy = new byte[payload.remaining()];
        payload.duplicate().get(copy);
        return copy;
    }

    public int length() {
        return payload.remaining();
    }

    @Override
    public Opcode opcode() {
        return Opcode.DATA;
    }

    @Override
    public String toString() {
        return "DataBlock[block=" + block + ", length=" + length() + "]";
    }
}
