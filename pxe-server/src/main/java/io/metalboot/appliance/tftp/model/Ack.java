package io.metalboot.appliance.tftp.model;

/** ACK of a block number (0 acknowledges an OACK). */
public record Ack(int block) implements TftpPacket {
    public Ack {
        requireBlockNumber(block);
    }

    static void requireBlockNumber(int block) {
        if (block < 0 || block > 0xFFFF) {
            throw new IllegalArgumentException("a block number is 0..65535, not " + block);
        }
    }

    @Override
    public Opcode opcode() {
        return Opcode.ACK;
    }
}
